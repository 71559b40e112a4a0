/**
 * DMARC policy discovery, RFC 7489 §6.6.3: `_dmarc.<From domain>`, then `_dmarc.<Organizational Domain>`.
 */
import { defaultEngineCaches } from '../caches.js';
import type { CheckContext } from '../context.js';
import { organizationalDomain } from '../domain/organizational-domain.js';
import { lookup } from '../dns/lookup.js';
import type { DnsAnswer, TemporaryDnsFailure } from '../dns/types.js';
import { andThen, type MaybeAsync } from '../maybe-async.js';
import type { ParseError, ParseResult } from '../parse-result.js';
import { isDmarcRecord, type DmarcRecord } from './record.js';

/** The outcome of policy discovery. */
export type DmarcDiscovery =
  /** One DMARC record, found at `recordDomain` (the From domain, or its Organizational Domain). */
  | { kind: 'found'; record: DmarcRecord; recordDomain: string; atOrganizationalDomain: boolean; queried: string[] }
  /**
   * No policy applies (§6.6.3 step 5): no DMARC record at either name, or several at the name where the
   * search stopped (`multiple-records`, with that name).
   */
  | { kind: 'none'; reason: 'no-record' | 'multiple-records'; name: string; queried: string[] }
  /** The one DMARC record has no usable `p` and no `rua` to repair it (§6.6.3 step 6.2). */
  | { kind: 'invalid'; recordDomain: string; text: string; error: ParseError; queried: string[] }
  /** A lookup failed for now (timeout, SERVFAIL, REFUSED): the policy is unknown. */
  | { kind: 'temperror'; name: string; dns: TemporaryDnsFailure; queried: string[] };

/** The DNS failures that make a result `temperror` rather than "no record". */
export type { TemporaryDnsFailure };

type Lookup = { ok: true; records: string[] } | { ok: false; dns: TemporaryDnsFailure };

/** `parseDmarcRecord(text)`, parsed once per distinct text; each caller gets its own copy of the result. */
function parseRecordCached(ctx: CheckContext, text: string): ParseResult<DmarcRecord> {
  const parsed = (ctx.caches ?? defaultEngineCaches()).dmarcRecords.get(text);
  return parsed.ok ? { ok: true, value: copyRecord(parsed.value) } : { ok: false, error: { ...parsed.error } };
}

/** A copy of a parsed record sharing nothing mutable with it (results hand the record to the caller). */
function copyRecord(record: DmarcRecord): DmarcRecord {
  return {
    ...record,
    aggregateReportUris: record.aggregateReportUris.map((uri) => ({ ...uri })),
    failureReportUris: record.failureReportUris.map((uri) => ({ ...uri })),
    failureOptions: [...record.failureOptions],
    reportFormats: [...record.reportFormats],
    warnings: record.warnings.map((warning) => ({ ...warning })),
  };
}

/** The DMARC records among the TXT records at `_dmarc.<domain>` (§6.6.3 steps 1–2, 3–4). */
function dmarcRecordsAt(ctx: CheckContext, domain: string): MaybeAsync<Lookup> {
  return andThen(lookup(ctx.resolver, 'txt', `_dmarc.${domain}`), dmarcRecordsOf);
}

function dmarcRecordsOf(answer: DnsAnswer<string>): Lookup {
  if (answer.ok) {
    const records: string[] = [];
    for (const record of answer.records) if (isDmarcRecord(record)) records.push(record);
    return { ok: true, records };
  }
  switch (answer.kind) {
    case 'nxdomain':
    case 'nodata':
      return { ok: true, records: [] };
    case 'timeout':
    case 'servfail':
    case 'refused':
      return { ok: false, dns: answer.kind };
    default: {
      const unreachable: never = answer.kind;
      return unreachable;
    }
  }
}

/**
 * Starts the lookups {@link discoverDmarcRecord} will make for `fromDomain` (the Organizational Domain's only when
 * the From domain has no DMARC record), without waiting for the answers: with a memoizing resolver, the discovery
 * that follows finds them there. Never throws, and leaves no rejection behind.
 */
export function prefetchDmarcRecords(ctx: CheckContext, fromDomain: string): void {
  const next = (first: Lookup): void => {
    if (!first.ok || first.records.length > 0) return;
    const orgDomain = organizationalDomain(fromDomain);
    if (orgDomain === undefined || orgDomain === fromDomain) return;
    const second = dmarcRecordsAt(ctx, orgDomain);
    // The discovery itself meets (and reports) the same trouble.
    if (second instanceof Promise) second.catch(() => undefined);
  };
  try {
    const first = dmarcRecordsAt(ctx, fromDomain);
    if (first instanceof Promise) first.then(next).catch(() => undefined);
    else next(first);
  } catch {
    // As above: a resolver breaking its contract is met again by the discovery.
  }
}

/**
 * Finds the DMARC record for an author domain (A-label, lower case), RFC 7489 §6.6.3. The Organizational Domain
 * is asked only when the From domain has no DMARC record at all; several records at the From domain end the
 * search there (step 5), they do not fall through to the Organizational Domain.
 */
export async function discoverDmarcRecord(ctx: CheckContext, fromDomain: string): Promise<DmarcDiscovery> {
  return dmarcDiscovery(ctx, fromDomain);
}

/** {@link discoverDmarcRecord}, synchronous when the answers it needs are known (`Resolver.known`). */
export function dmarcDiscovery(ctx: CheckContext, fromDomain: string): MaybeAsync<DmarcDiscovery> {
  const queried = [`_dmarc.${fromDomain}`];
  return andThen(dmarcRecordsAt(ctx, fromDomain), (first): MaybeAsync<DmarcDiscovery> => {
    if (!first.ok) return { kind: 'temperror', name: `_dmarc.${fromDomain}`, dns: first.dns, queried };
    if (first.records.length > 0) return discovered(ctx, fromDomain, false, first.records, queried);
    const orgDomain = organizationalDomain(fromDomain);
    if (orgDomain === undefined || orgDomain === fromDomain) return discovered(ctx, fromDomain, false, [], queried);
    queried.push(`_dmarc.${orgDomain}`);
    return andThen(dmarcRecordsAt(ctx, orgDomain), (second) =>
      second.ok
        ? discovered(ctx, orgDomain, true, second.records, queried)
        : { kind: 'temperror', name: `_dmarc.${orgDomain}`, dns: second.dns, queried },
    );
  });
}

/** The outcome of a search that ended at `_dmarc.<name>` with `records` (§6.6.3 steps 5–6). */
function discovered(
  ctx: CheckContext,
  name: string,
  atOrganizationalDomain: boolean,
  records: string[],
  queried: string[],
): DmarcDiscovery {
  const text = records[0];
  if (text === undefined) return { kind: 'none', reason: 'no-record', name: `_dmarc.${name}`, queried };
  if (records.length > 1) return { kind: 'none', reason: 'multiple-records', name: `_dmarc.${name}`, queried };
  const parsed = parseRecordCached(ctx, text);
  if (!parsed.ok) return { kind: 'invalid', recordDomain: name, text, error: parsed.error, queried };
  return { kind: 'found', record: parsed.value, recordDomain: name, atOrganizationalDomain, queried };
}
