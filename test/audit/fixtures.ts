/**
 * Zone data for the audit tests: one domain per scenario, served by the loopback DNS server. Keys are generated
 * once per run (RSA 2048 for the model setup, 1024 and 512 bits for the size checks, Ed25519).
 */
import { generateKeyPairSync } from 'node:crypto';
import { reverseName } from '../../src/core/dns/index.js';
import type { ZoneShorthand } from '../support/dns-server.js';

function spkiBase64(type: 'rsa' | 'ed25519', bits = 2048): string {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ed25519');
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  // Ed25519 keys are published raw (RFC 8463 §4): the last 32 bytes of the SPKI.
  return (type === 'ed25519' ? der.subarray(der.length - 32) : der).toString('base64');
}

export const keys = {
  rsa2048: spkiBase64('rsa', 2048),
  rsa1024: spkiBase64('rsa', 1024),
  rsa512: spkiBase64('rsa', 512),
  ed25519: spkiBase64('ed25519'),
};

/** The TXT strings of a long record (255-octet chunks). */
export function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out;
}

export const rev = (ip: string): string => reverseName(ip)!;

/** A domain that follows every recommendation (besides its own name), served with its mail host and keys. */
export function modelZone(domain: string, ip: string, extra: Partial<ZoneShorthand[string]> = {}): ZoneShorthand {
  return {
    [domain]: {
      MX: [[10, `mail.${domain}`]],
      TXT: [`v=spf1 ip4:${ip} include:_spf.${domain} -all`],
      A: [ip],
      ...extra,
    },
    [`_spf.${domain}`]: { TXT: ['v=spf1 ip4:198.51.100.0/28 -all'] },
    [`mail.${domain}`]: { A: [ip] },
    [rev(ip)]: { PTR: [`mail.${domain}`] },
    [`s1._domainkey.${domain}`]: { TXT: [chunks(`v=DKIM1; k=rsa; p=${keys.rsa2048}`)] },
    [`ed._domainkey.${domain}`]: { TXT: [`v=DKIM1; k=ed25519; p=${keys.ed25519}`] },
    [`_dmarc.${domain}`]: { TXT: [`v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`] },
  };
}

const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Every scenario's records. */
export function auditZone(): ZoneShorthand {
  return {
    // 1. The model setup: no failures.
    ...modelZone('model-sender.com', '192.0.2.10'),
    // HELO variants for the model domain.
    'empty.model-sender.com': { TXT: ['not an address'] },
    'other.model-sender.com': { A: ['192.0.2.99'] },
    'out.model-sender.com': { A: ['192.0.2.10'] },
    'mail.other-org.net': { A: ['192.0.2.10'] },
    // A subdomain whose DMARC record is at the Organizational Domain.
    'news.model-sender.com': { TXT: ['v=spf1 ip4:192.0.2.10 -all'], MX: [[10, 'mail.model-sender.com']] },

    // 2. PTR findings.
    'ptr-sender.com': {
      MX: [[10, 'mail.ptr-sender.com']],
      TXT: ['v=spf1 ip4:192.0.2.0/24 -all'],
    },
    'mail.ptr-sender.com': { A: ['192.0.2.30'] },
    [rev('192.0.2.30')]: { PTR: ['mail.ptr-sender.com'] },
    '_dmarc.ptr-sender.com': { TXT: ['v=DMARC1; p=reject; rua=mailto:d@ptr-sender.com'] },
    [rev('192.0.2.21')]: { PTR: ['liar.ptr-sender.com'] },
    'liar.ptr-sender.com': { A: ['192.0.2.99'] },
    [rev('192.0.2.22')]: { PTR: ['22-2-0-192.dyn.isp-example.net'] },
    '22-2-0-192.dyn.isp-example.net': { A: ['192.0.2.22'] },
    [rev('192.0.2.23')]: { PTR: ['a.ptr-sender.com', 'b.ptr-sender.com'] },
    'a.ptr-sender.com': { A: ['192.0.2.23'] },
    // 192.0.2.20: no PTR at all.

    // 3. SPF findings, one domain each.
    'spf-none.com': { MX: [[10, 'mail.spf-none.com']] },
    'mail.spf-none.com': { A: ['192.0.2.40'] },
    'spf-multi.com': { TXT: ['v=spf1 ip4:192.0.2.41 -all', 'v=spf1 mx -all'], A: ['192.0.2.41'] },
    'spf-syntax.com': { TXT: ['v=spf1 ip4:1.2.3 -all'], A: ['192.0.2.42'] },
    'spf-lookups.com': {
      TXT: [chunks(`v=spf1 ${many(11, (i) => `include:i${i}.spf-lookups.com`).join(' ')} -all`)],
      A: ['192.0.2.43'],
    },
    ...Object.fromEntries(
      many(11, (i): [string, ZoneShorthand[string]] => [
        `i${i}.spf-lookups.com`,
        { TXT: [`v=spf1 ip4:203.0.113.${i} -all`] },
      ]),
    ),
    'spf-void.com': {
      TXT: ['v=spf1 a:n1.spf-void.com a:n2.spf-void.com a:n3.spf-void.com ip4:192.0.2.44 -all'],
    },
    'spf-loop.com': { TXT: ['v=spf1 include:spf-loop.com -all'] },
    'spf-missing-include.com': { TXT: ['v=spf1 include:nothing.spf-missing-include.com -all'] },
    'spf-weak.com': { TXT: ['v=spf1 ptr ip4:192.0.2.45 +all'] },
    'spf-neutral.com': { TXT: ['v=spf1 ip4:192.0.2.46 ?all'] },
    'spf-noall.com': { TXT: ['v=spf1 ip4:192.0.2.47'] },
    'spf-long.com': {
      TXT: [chunks(`v=spf1 ${many(40, (i) => `ip4:198.51.100.${i}`).join(' ')} -all`)],
    },
    'spf-temp.com': { TXT: ['v=spf1 include:down.spf-temp.com -all'] },

    // 4. DKIM findings (selectors given).
    'dkim-sender.com': { TXT: ['v=spf1 -all'] },
    'bad._domainkey.dkim-sender.com': { TXT: ['v=DKIM1; k=rsa; p=!!!not-base64'] },
    'junk._domainkey.dkim-sender.com': { TXT: ['v=DKIM1; k=rsa; p=AAAA'] },
    'old._domainkey.dkim-sender.com': { TXT: ['v=DKIM1; k=rsa; p='] },
    'short._domainkey.dkim-sender.com': { TXT: [`v=DKIM1; k=rsa; p=${keys.rsa512}`] },
    'k1024._domainkey.dkim-sender.com': { TXT: [`v=DKIM1; k=rsa; p=${keys.rsa1024}`] },
    'test._domainkey.dkim-sender.com': { TXT: [chunks(`v=DKIM1; k=rsa; t=y; p=${keys.rsa2048}`)] },
    'sha1._domainkey.dkim-sender.com': { TXT: [chunks(`v=DKIM1; k=rsa; h=sha1; p=${keys.rsa2048}`)] },
    'good._domainkey.dkim-sender.com': { TXT: [`v=DKIM1; k=ed25519; p=${keys.ed25519}`] },

    // 5. DMARC findings.
    'dmarc-none.com': { TXT: ['v=spf1 -all'], MX: [[10, 'mail.model-sender.com']] },
    'dmarc-multi.com': { TXT: ['v=spf1 -all'] },
    '_dmarc.dmarc-multi.com': { TXT: ['v=DMARC1; p=none', 'v=DMARC1; p=reject'] },
    'dmarc-broken.com': { TXT: ['v=spf1 -all'] },
    '_dmarc.dmarc-broken.com': { TXT: ['v=DMARC1; p=bogus'] },
    'dmarc-weak.com': { TXT: ['v=spf1 -all'] },
    '_dmarc.dmarc-weak.com': {
      TXT: ['v=DMARC1; p=none; pct=50; adkim=x; rua=mailto:reports@dmarc-vendor.net,mailto:d@dmarc-weak.com'],
    },
    'dmarc-sub.com': { TXT: ['v=spf1 -all'] },
    '_dmarc.dmarc-sub.com': { TXT: ['v=DMARC1; p=reject; sp=none; np=quarantine'] },
    'dmarc-ext.com': { TXT: ['v=spf1 -all'] },
    '_dmarc.dmarc-ext.com': { TXT: ['v=DMARC1; p=quarantine; rua=mailto:agg@dmarc-vendor.net'] },
    'dmarc-ext.com._report._dmarc.dmarc-vendor.net': { TXT: ['v=DMARC1'] },

    // 6. MX findings.
    'mx-none.com': { TXT: ['v=spf1 -all'], A: ['192.0.2.60'] },
    'mx-nothing.com': { TXT: ['v=spf1 -all'] },
    'mx-null.com': { TXT: ['v=spf1 -all'], MX: [[0, '.']] },
    'mx-broken.com': {
      TXT: ['v=spf1 -all'],
      MX: [
        [10, 'gone.mx-broken.com'],
        [20, 'noptr.mx-broken.com'],
      ],
    },
    'noptr.mx-broken.com': { A: ['192.0.2.61'] },

    // Hostile: 50 MX hosts.
    'mx-many.com': {
      TXT: ['v=spf1 -all'],
      MX: many(50, (i): [number, string] => [i, `h${i}.mx-many.com`]),
    },

    // 7. DNS trouble: an MX lookup that fails for now.
    'dns-trouble.com': { TXT: ['v=spf1 -all'], MX: [[10, 'mail.dns-trouble.com']] },
  };
}

/** Rules: SERVFAIL for one SPF include and one MX lookup; every name of unreachable.com times out. */
export const auditRules = [
  { name: 'down.spf-temp.com', action: 'servfail' as const },
  { name: 'dns-trouble.com', type: 'MX', action: 'servfail' as const },
  { name: /(^|\.)unreachable\.com$/, action: 'timeout' as const },
];
