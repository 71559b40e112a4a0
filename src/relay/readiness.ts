/**
 * The relay's readiness: does its own sending setup make receivers trust what it sends? Run at start (each problem
 * logged with its fix) and on `GET /api/v1/relay/readiness`.
 *
 * It runs the core's sending-domain audit for the From domain with the relay's own facts — its public address
 * (`relay.publicIp`, else the addresses `relay.hostname` resolves to), its HELO name (`relay.hostname`) and its DKIM
 * selector — and adds one check the audit cannot make: the key published at `<selector>._domainkey.<domain>` is the
 * public half of `relay.dkim.keyFile` (RFC 6376 §3.6.1), so the signatures will verify.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { auditDomain, defaultLimits, parseDkimKey } from '../core/index.js';
import type { AuditCheck, AuditResult, Resolver } from '../core/index.js';
import type { RelayConfig } from '../server/config.js';

/** One check of the readiness report (the audit's, plus the key match). */
export interface ReadinessCheck {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'info';
  message: string;
  remedy: string;
  rule: string;
  subject?: string;
}

export interface ReadinessReport {
  /** `pass` when receivers can authenticate the relay's mail; `warn`/`fail` name what to fix. */
  result: AuditResult;
  domain: string;
  hostname: string;
  ips: string[];
  checks: ReadinessCheck[];
}

/** The domain of an address. */
function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The key's public half as DKIM publishes it in p= (RFC 6376 §3.6.1, RFC 8463 §4.2). */
export function publishedKeyBytes(privateKey: KeyObject): Uint8Array {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return privateKey.asymmetricKeyType === 'ed25519' ? spki.subarray(spki.length - 32) : spki;
}

/** Compares the key record in DNS with the relay's key. */
export async function checkPublishedKey(
  resolver: Resolver,
  dkim: { domain: string; selector: string },
  privateKey: KeyObject,
): Promise<ReadinessCheck> {
  const name = `${dkim.selector}._domainkey.${dkim.domain}`.toLowerCase();
  const expected = Buffer.from(publishedKeyBytes(privateKey));
  const type = privateKey.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'rsa';
  const record = `v=DKIM1; k=${type}; p=${expected.toString('base64')}`;
  const base = {
    id: 'relay.dkim-key-match',
    rule: 'RFC 6376 §3.6.1: the public key of the signing key',
    subject: name,
  };
  const answer = await resolver.txt(name);
  if (!answer.ok)
    return {
      ...base,
      status: answer.kind === 'nxdomain' || answer.kind === 'nodata' ? 'fail' : 'warn',
      message: `no DKIM key record at ${name} (${answer.kind})`,
      remedy: `publish TXT ${name} "${record}"`,
    };
  const keys = answer.records.map(parseDkimKey).filter((r) => r.ok);
  const matches = keys.some((k) => k.ok && Buffer.from(k.value.publicKey).equals(expected));
  return matches
    ? { ...base, status: 'pass', message: `the key at ${name} is the public half of relay.dkim.keyFile`, remedy: '' }
    : {
        ...base,
        status: 'fail',
        message: `the key at ${name} is not the public half of relay.dkim.keyFile: signatures will not verify`,
        remedy: `replace the record by TXT ${name} "${record}"`,
      };
}

const RANK = { pass: 0, info: 0, warn: 1, fail: 2 } as const;

/** Audits the relay's sending setup. Never throws: DNS trouble is a warning. */
export async function checkReadiness(
  resolver: Resolver,
  config: RelayConfig,
  privateKey: KeyObject,
  now: () => number,
): Promise<ReadinessReport> {
  const domain = domainOf(config.from);
  let ips = config.publicIp === undefined ? [] : [config.publicIp];
  if (ips.length === 0) {
    const [a, aaaa] = await Promise.all([resolver.a(config.hostname), resolver.aaaa(config.hostname)]);
    ips = [...(a.ok ? a.records : []), ...(aaaa.ok ? aaaa.records : [])];
  }
  const report = await auditDomain(
    { resolver, now: () => new Date(now()), limits: { ...defaultLimits } },
    { domain, ips, helo: config.hostname, selectors: [config.dkim.selector] },
  );
  const checks: ReadinessCheck[] = report.checks
    .filter((c: AuditCheck) => c.area !== 'forms')
    .map((c: AuditCheck) => ({
      id: c.id,
      status: c.status,
      message: c.message,
      remedy: c.remedy,
      rule: c.rule,
      ...(c.subject === undefined ? {} : { subject: c.subject }),
    }));
  if (ips.length === 0)
    checks.push({
      id: 'relay.no-address',
      status: 'warn',
      message: `no sending address known: relay.publicIp is unset and ${config.hostname} has no A or AAAA record`,
      remedy: `set relay.publicIp, and publish an A record for ${config.hostname} with that address`,
      rule: 'RFC 5321 §4.1.4: the EHLO name resolves to the sending address',
    });
  checks.push(await checkPublishedKey(resolver, config.dkim, privateKey));
  const worst = checks.reduce((w, c) => Math.max(w, RANK[c.status]), 0);
  return {
    result: (['pass', 'warn', 'fail'] as const)[worst] as AuditResult,
    domain,
    hostname: config.hostname,
    ips,
    checks,
  };
}
