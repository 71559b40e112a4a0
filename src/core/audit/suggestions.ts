/**
 * The records the audit suggests publishing (docs/audit.md): an SPF record built from the sending addresses and the
 * mechanisms already present, within RFC 7208 §4.6.4's 10 lookups; a starter DMARC record and the way to
 * `p=reject` (RFC 7489 §6.3); the DKIM key record `mailtrust dkim keygen` prints (RFC 6376 §3.6.1); the PTR
 * record to ask the address owner for.
 */
import type { DmarcDiscovery } from '../dmarc/discovery.js';
import type { DmarcPolicy, DmarcRecord } from '../dmarc/record.js';
import { splitTxt } from '../dkim/keygen.js';
import { reverseName } from '../dns/reverse-name.js';
import type { SpfLintNode, SpfLintReport } from '../spf/lint.js';
import { countsTowardLookupLimit, parseSpfRecord } from '../spf/parse.js';
import type { SpfRecord } from '../spf/types.js';
import type { SuggestedRecord } from './types.js';
import { lowerCaseName } from '../dns/names.js';

/** Worst-case DNS-querying terms of a record and everything below it in the lint tree (RFC 7208 §4.6.4). */
function subtreeLookups(node: SpfLintNode, depth = 0): number {
  if (node.record === undefined || depth > 12) return 0;
  const parsed = parseSpfRecord(node.record);
  if (!parsed.ok) return 0;
  return recordLookups(parsed.value, node, depth);
}

function recordLookups(record: SpfRecord, node: SpfLintNode, depth: number): number {
  let count = 0;
  let hasAll = false;
  for (const m of record.mechanisms) {
    if (m.kind === 'all') hasAll = true;
    if (countsTowardLookupLimit(m)) count++;
    if (m.kind === 'include') {
      const child = childFor(node, 'include', m.domain.source);
      if (child) count += subtreeLookups(child, depth + 1);
    }
  }
  if (record.redirect && !hasAll) {
    count++;
    const child = childFor(node, 'redirect', record.redirect.value.source);
    if (child) count += subtreeLookups(child, depth + 1);
  }
  return count;
}

function childFor(node: SpfLintNode, via: 'include' | 'redirect', target: string): SpfLintNode | undefined {
  const name = lowerCaseName(target);
  return node.children.find((c) => c.via === via && c.domain === name);
}

/** What the SPF suggestion is built from. */
export interface SpfSuggestionInput {
  domain: string;
  lint: SpfLintReport;
  /** The audited sending addresses. */
  ips: readonly string[];
  /** Addresses check_host() passes with the current record (not by an `all` term). */
  authorized: ReadonlySet<string>;
  /** The domain has MX hosts (for a record without addresses). */
  hasMx: boolean;
  limit: number;
}

const ipTerm = (ip: string) => `${ip.includes(':') ? 'ip6' : 'ip4'}:${ip}`;
const isBrokenChild = (node: SpfLintNode | undefined) =>
  node !== undefined &&
  (node.outcome === 'none' || node.outcome === 'loop' || node.outcome === 'invalid' || node.outcome === 'multiple');

/**
 * An SPF record for the domain: the addresses that need it as ip4:/ip6: first, then the existing mechanisms that
 * fit within the lookup limit (in order; `ptr`, void `a`/`mx` and broken includes dropped), ending in the existing
 * `-all`/`~all` (else `~all`). Undefined when the current record needs no change.
 */
export function suggestSpf(input: SpfSuggestionInput): SuggestedRecord | undefined {
  const { domain, lint } = input;
  const root = lint.tree;
  const parsed = root.outcome === 'ok' && lint.record !== undefined ? parseSpfRecord(lint.record) : undefined;
  const base = parsed?.ok ? parsed.value : undefined;
  const voidTerms = new Set(
    lint.findings.filter((f) => f.id === 'spf.void-lookup' && f.domain === domain && f.term).map((f) => f.term!),
  );
  const kept: string[] = [];
  const dropped: string[] = [];
  let lookups = 0;
  let allTerm = '~all';
  let redirect: string | undefined;
  let exp: string | undefined;
  if (base) {
    for (const m of base.mechanisms) {
      let cost = countsTowardLookupLimit(m) ? 1 : 0;
      switch (m.kind) {
        case 'all':
          if (m.qualifier === '-') allTerm = '-all';
          continue;
        case 'ptr':
          dropped.push(`${m.text} (RFC 7208 §5.5)`);
          continue;
        case 'include': {
          const child = childFor(root, 'include', m.domain.source);
          if (isBrokenChild(child)) {
            dropped.push(`${m.text} (target has no usable SPF record)`);
            continue;
          }
          if (child) cost += subtreeLookups(child, 1);
          break;
        }
        case 'a':
        case 'mx':
          if (voidTerms.has(m.text)) {
            dropped.push(`${m.text} (no records)`);
            continue;
          }
          break;
        case 'exists':
        case 'ip4':
        case 'ip6':
          break;
        default: {
          const unreachable: never = m;
          return unreachable;
        }
      }
      if (lookups + cost > input.limit) {
        dropped.push(`${m.text} (${cost} lookups over the limit)`);
        continue;
      }
      kept.push(m.text);
      lookups += cost;
    }
    const hasAll = base.mechanisms.some((m) => m.kind === 'all');
    if (base.redirect && !hasAll) {
      const child = childFor(root, 'redirect', base.redirect.value.source);
      const cost = 1 + (child ? subtreeLookups(child, 1) : 0);
      if (!isBrokenChild(child) && lookups + cost <= input.limit) {
        redirect = base.redirect.text;
        lookups += cost;
      } else dropped.push(base.redirect.text);
    }
    exp = base.exp?.text;
  }
  const present = new Set(kept.map((t) => t.toLowerCase()));
  const needIp = (ip: string) => !input.authorized.has(ip) || dropped.length > 0 || !base;
  const added = input.ips
    .filter(needIp)
    .map(ipTerm)
    .filter((t) => !present.has(t.toLowerCase()) && !present.has(`+${t}`));
  if (!base && added.length === 0 && input.hasMx) {
    kept.push('mx');
    lookups += 1;
  }
  const terms = [
    'v=spf1',
    ...added,
    ...kept,
    ...(redirect !== undefined ? [redirect] : [allTerm]),
    ...(exp !== undefined ? [exp] : []),
  ];
  const value = terms.join(' ');
  if (base && lint.record !== undefined && value === lint.record.trim().replace(/\s+/g, ' ')) return undefined;
  const notes: string[] = [];
  if (!base) notes.push(`publish this as the only SPF record (TXT) at ${domain}`);
  else notes.push(`replace the current SPF record of ${domain} with this one`);
  if (added.length > 0) notes.push(`added ${added.join(', ')}`);
  if (dropped.length > 0) notes.push(`dropped ${dropped.join('; ')}`);
  if (!base && input.ips.length === 0 && !input.hasMx)
    notes.push('no sending address is known: add ip4:/ip6: terms for your servers (or include: your provider)');
  notes.push(`${lookups} of ${input.limit} DNS-querying terms`);
  const octets = new TextEncoder().encode(value).length;
  if (octets > 450)
    notes.push(`${octets} octets: list networks (ip4:a.b.c.0/24) rather than single addresses to stay under 512`);
  if (allTerm === '~all' && redirect === undefined) notes.push("use '-all' once every sender is listed");
  return {
    kind: 'spf',
    name: domain,
    type: 'TXT',
    value,
    strings: splitTxt(value),
    note: notes.join('; '),
    lookups,
  };
}

function dmarcText(
  policy: DmarcPolicy,
  rua: readonly string[],
  extra: { pct?: number; record?: DmarcRecord | undefined } = {},
): string {
  const parts = ['v=DMARC1', `p=${policy}`];
  if (extra.pct !== undefined && extra.pct < 100) parts.push(`pct=${extra.pct}`);
  parts.push(`rua=${rua.join(',')}`);
  const record = extra.record;
  if (record) {
    if (record.failureReportUris.length > 0) parts.push(`ruf=${record.failureReportUris.map((u) => u.uri).join(',')}`);
    if (record.dkimAlignment === 'strict') parts.push('adkim=s');
    if (record.spfAlignment === 'strict') parts.push('aspf=s');
  }
  return parts.join('; ');
}

const STRENGTH: Readonly<Record<DmarcPolicy, number>> = { none: 0, quarantine: 1, reject: 2 };

/**
 * A DMARC record: without a usable one, the starter `p=none` with `rua` at the domain; with one that does not yet
 * protect the domain, the next step on the way to `p=reject` (reports first). `steps` lists the way from here.
 */
export function suggestDmarc(domain: string, discovery: DmarcDiscovery): SuggestedRecord | undefined {
  const found = discovery.kind === 'found' ? discovery.record : undefined;
  const recordDomain = discovery.kind === 'found' ? discovery.recordDomain : domain;
  const existingRua = found?.aggregateReportUris.map((u) => u.uri) ?? [];
  const rua = existingRua.length > 0 ? existingRua : [`mailto:dmarc-reports@${recordDomain}`];
  const path = (from: DmarcPolicy, record?: DmarcRecord): string[] => {
    const all = [
      { policy: 'none' as const, text: dmarcText('none', rua, { record }) },
      { policy: 'quarantine' as const, text: dmarcText('quarantine', rua, { pct: 25, record }) },
      { policy: 'quarantine' as const, text: dmarcText('quarantine', rua, { record }) },
      { policy: 'reject' as const, text: dmarcText('reject', rua, { record }) },
    ];
    return all.filter((s) => STRENGTH[s.policy] >= STRENGTH[from]).map((s) => s.text);
  };
  const stepsNote =
    'read the aggregate reports for 2–4 weeks; when all your mail passes SPF or DKIM aligned, take the next step';
  if (!found) {
    if (discovery.kind === 'temperror') return undefined;
    const steps = path('none');
    return {
      kind: 'dmarc',
      name: `_dmarc.${domain}`,
      type: 'TXT',
      value: steps[0]!,
      strings: splitTxt(steps[0]!),
      note: `starter record: monitor only (p=none), reports to ${rua.join(', ')}; ${stepsNote}`,
      steps,
    };
  }
  const weakerSub =
    (found.subdomainPolicy !== undefined && STRENGTH[found.subdomainPolicy] < STRENGTH[found.policy]) ||
    (found.nonexistentPolicy !== undefined && STRENGTH[found.nonexistentPolicy] < STRENGTH[found.policy]);
  const complete =
    found.policy === 'reject' &&
    found.pct >= 100 &&
    existingRua.length > 0 &&
    !weakerSub &&
    found.warnings.length === 0;
  if (complete) return undefined;
  let value: string;
  let note: string;
  if (existingRua.length === 0) {
    value = dmarcText(found.policy, rua, { pct: found.pct, record: found });
    note = `add rua first, keeping p=${found.policy}${weakerSub ? ' (and dropping the weaker sp/np)' : ''}, so you can see who sends as ${recordDomain}; ${stepsNote}`;
  } else if (found.policy === 'none') {
    value = dmarcText('quarantine', rua, { pct: 25, record: found });
    note = `next step from p=none; ${stepsNote}`;
  } else if (found.pct < 100) {
    value = dmarcText(found.policy, rua, { record: found });
    note = `apply p=${found.policy} to all failing mail`;
  } else if (found.policy === 'quarantine') {
    value = dmarcText('reject', rua, { record: found });
    note = `last step: p=reject; ${stepsNote}`;
  } else {
    value = dmarcText(found.policy, rua, { record: found });
    note = 'the same policy without weaker subdomain policies or invalid tags';
  }
  return {
    kind: 'dmarc',
    name: `_dmarc.${recordDomain}`,
    type: 'TXT',
    value,
    strings: splitTxt(value),
    note,
    steps: path(found.policy, found),
  };
}

/** The DKIM key record to publish: made by `mailtrust dkim keygen`, which writes the private key and prints it. */
export function suggestDkim(domain: string, selector: string): SuggestedRecord {
  const command = `mailtrust dkim keygen --domain ${domain} --selector ${selector}`;
  return {
    kind: 'dkim',
    name: `${selector}._domainkey.${domain}`,
    type: 'TXT',
    value: 'v=DKIM1; k=rsa; p=<the public key printed by mailtrust dkim keygen>',
    note: `run ${command} (RSA 2048); it writes the private key for your signer and prints the TXT record (split in 255-octet strings) to publish here`,
    command,
  };
}

/** A selector name for a new key, from the date: `sYYYYMM` (a new selector per rotation). */
export function datedSelector(now: Date): string {
  return `s${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The PTR record to ask the address owner for, and the A/AAAA record it needs to be forward-confirmed. */
export function suggestPtr(ip: string, hostName: string, hostHasAddress: boolean): SuggestedRecord[] {
  const reverse = reverseName(ip);
  if (reverse === undefined) return [];
  const out: SuggestedRecord[] = [
    {
      kind: 'ptr',
      name: reverse,
      type: 'PTR',
      value: hostName,
      note: `PTR records live in the address owner's reverse zone: ask whoever owns ${ip} (hosting provider or ISP) to set it`,
    },
  ];
  if (!hostHasAddress)
    out.push({
      kind: 'a',
      name: hostName,
      type: ip.includes(':') ? 'AAAA' : 'A',
      value: ip,
      note: `so that ${hostName} resolves back to ${ip} (forward-confirmed reverse DNS)`,
    });
  return out;
}
