/**
 * Do the domains of the sender and recipient headers exist and accept mail? (guide: "Zendesk does not trust emails
 * that use invalid, non-existent, or non-resolvable domain names in the sender and recipient headers").
 *
 * Per distinct domain, as a mail sender would look it up (RFC 5321 §5.1): MX first; a null MX (RFC 7505: one MX
 * whose exchange is ".") says the domain accepts no mail; without MX records, A and AAAA (the implicit MX).
 */
import type { CheckContext } from '../context.js';
import { lookup } from '../dns/lookup.js';
import { isTemporaryDnsFailure, type DnsAnswer, type DnsFailureKind } from '../dns/types.js';
import { all, andThen, type MaybeAsync } from '../maybe-async.js';
import type { HeaderDomain } from './fields.js';
import { findingsOf, type AddressField, type HeaderDetail, type HeaderFinding } from './findings.js';
import { classifyMailDomain } from './mail-domain.js';

/** Domains looked up per message by default; the rest are counted in `domainsSkipped`, not checked. */
export const DEFAULT_MAX_HEADER_DOMAINS = 20;

/**
 * What DNS said about one domain: `mx` (MX hosts), `implicit-mx` (no MX, but A/AAAA), `null-mx` (RFC 7505),
 * `nxdomain`, `no-mail-records` (the name exists without MX, A or AAAA), `invalid` (not a host name; no query),
 * `temperror` (timeout, SERVFAIL or REFUSED: not known).
 */
export type HeaderDomainStatus =
  'mx' | 'implicit-mx' | 'null-mx' | 'nxdomain' | 'no-mail-records' | 'invalid' | 'temperror';

/** The outcome for one domain. */
export interface HeaderDomainCheck {
  domain: string;
  fields: AddressField[];
  status: HeaderDomainStatus;
  /** MX hosts by preference (`mx`). */
  exchanges?: string[];
  /** A and AAAA addresses (`implicit-mx`). */
  addresses?: string[];
  /** The failure behind `nxdomain`, `no-mail-records` or `temperror`. */
  dnsError?: DnsFailureKind;
}

/** The DNS part of the header checks. */
export interface HeaderDomainsResult {
  /** `fail` with any finding; else `temperror` when a lookup could not be answered; else `pass`. */
  result: 'pass' | 'fail' | 'temperror';
  findings: HeaderFinding[];
  details: HeaderDetail[];
  /** The domains checked, in input order (domains that could not be looked up at all are in `details` only). */
  domains: HeaderDomainCheck[];
  /** The cap that applied. */
  domainLimit: number;
  /** Distinct domains over the cap, not looked up. */
  domainsSkipped: number;
  /** The first temporary DNS failure, so the verdict can say the result is retryable. */
  dnsError?: DnsFailureKind;
}

export interface HeaderDomainsOptions {
  /** Most domains looked up (default `DEFAULT_MAX_HEADER_DOMAINS`). */
  maxDomains?: number;
}

/** One domain, RFC 5321 §5.1 and RFC 7505 §3; synchronous when its answers are known. Never throws. */
function lookUp(ctx: CheckContext, domain: string, fields: AddressField[]): MaybeAsync<HeaderDomainCheck> {
  // Results are written as literals (domain, fields, status, …: one key order), no spread of a shared base.
  if (ctx.signal?.aborted) return { domain, fields, status: 'temperror', dnsError: 'timeout' };
  return andThen(lookup(ctx.resolver, 'mx', domain), (mx): MaybeAsync<HeaderDomainCheck> => {
    if (mx.ok && mx.records.length > 0) {
      const records = mx.records.length > 1 ? [...mx.records].sort((a, b) => a.priority - b.priority) : mx.records;
      const exchanges: string[] = [];
      for (const record of records) if (record.exchange !== '') exchanges.push(record.exchange);
      // RFC 7505 §3: a null MX is the only MX of its domain; next to real ones, the real ones count.
      if (exchanges.length === 0) return { domain, fields, status: 'null-mx' };
      return { domain, fields, status: 'mx', exchanges };
    }
    if (!mx.ok) {
      switch (mx.kind) {
        case 'nxdomain':
          return { domain, fields, status: 'nxdomain', dnsError: 'nxdomain' };
        case 'timeout':
        case 'servfail':
        case 'refused':
          return { domain, fields, status: 'temperror', dnsError: mx.kind };
        case 'nodata':
          break;
        default: {
          const unreachable: never = mx.kind;
          return unreachable;
        }
      }
    }
    // No MX: the domain itself is the mail host (implicit MX, RFC 5321 §5.1).
    const answers = all([lookup(ctx.resolver, 'a', domain), lookup(ctx.resolver, 'aaaa', domain)]);
    return andThen(answers, ([a, aaaa]) => implicitMx(domain, fields, a!, aaaa!));
  });
}

/** A domain without MX records, by its A and AAAA answers (RFC 5321 §5.1). */
function implicitMx(
  domain: string,
  fields: AddressField[],
  a: DnsAnswer<string>,
  aaaa: DnsAnswer<string>,
): HeaderDomainCheck {
  const addresses = [...(a.ok ? a.records : []), ...(aaaa.ok ? aaaa.records : [])];
  if (addresses.length > 0) return { domain, fields, status: 'implicit-mx', addresses };
  const failures: DnsFailureKind[] = [];
  if (!a.ok) failures.push(a.kind);
  if (!aaaa.ok) failures.push(aaaa.kind);
  const temporary = failures.find(isTemporaryDnsFailure);
  if (temporary) return { domain, fields, status: 'temperror', dnsError: temporary };
  if (failures.length > 0 && failures.every((kind) => kind === 'nxdomain')) {
    return { domain, fields, status: 'nxdomain', dnsError: 'nxdomain' };
  }
  return { domain, fields, status: 'no-mail-records', dnsError: 'nodata' };
}

/** The finding for a domain outcome, if any. */
function detailFor(check: HeaderDomainCheck): HeaderDetail | undefined {
  switch (check.status) {
    case 'mx':
    case 'implicit-mx':
    case 'temperror':
      return undefined;
    default:
      break;
  }
  const first = check.fields[0];
  const about = { domain: check.domain, fields: check.fields, ...(first === undefined ? {} : { field: first }) };
  switch (check.status) {
    case 'nxdomain':
      return { id: 'headers.domain-nxdomain', ...about, reason: 'nxdomain', dnsOutcome: 'nxdomain' };
    case 'null-mx':
      return { id: 'headers.domain-unresolvable', ...about, reason: 'null-mx' };
    case 'no-mail-records':
      return { id: 'headers.domain-unresolvable', ...about, reason: 'no-mail-records', dnsOutcome: 'nodata' };
    case 'invalid':
      return { id: 'headers.domain-unresolvable', ...about, value: check.domain, reason: 'invalid' };
    default: {
      const unreachable: never = check.status;
      return unreachable;
    }
  }
}

/**
 * Checks that each domain exists and accepts mail: one lookup set per distinct domain (MX; A and AAAA only
 * when there is no MX), all domains concurrently, at most `maxDomains` of them (the first ones given; pass the
 * sender side first). Domains may be given as names or as `HeaderDomain`s (from `checkHeaderFields`); names are
 * normalized to A-labels, and one that is not a host name is `headers.domain-unresolvable` without a query.
 *
 * Decisions: a null MX (RFC 7505) is `headers.domain-unresolvable` (reason `null-mx`) even when the domain has
 * addresses: it says the domain accepts no mail, so nothing sent to it — replies included — can be delivered.
 * MX targets are not resolved here (that is the audit's `mx.host-unresolvable`). A timeout, SERVFAIL or REFUSED
 * is no finding: the domain's status is `temperror` and `dnsError` is set.
 */
export async function checkHeaderDomains(
  ctx: CheckContext,
  domains: readonly (string | HeaderDomain)[],
  options: HeaderDomainsOptions = {},
): Promise<HeaderDomainsResult> {
  return headerDomainsResult(ctx, domains, options);
}

/** {@link checkHeaderDomains}, synchronous when every answer it needs is known (`Resolver.known`). */
export function headerDomainsResult(
  ctx: CheckContext,
  domains: readonly (string | HeaderDomain)[],
  options: HeaderDomainsOptions = {},
): MaybeAsync<HeaderDomainsResult> {
  const limit = Math.max(0, options.maxDomains ?? DEFAULT_MAX_HEADER_DOMAINS);
  const distinct = new Map<string, HeaderDomain>();
  const invalid: HeaderDomainCheck[] = [];
  for (const entry of domains) {
    const given = typeof entry === 'string' ? { domain: entry, fields: [] } : entry;
    const classified = classifyMailDomain({ domain: given.domain, domainLiteral: false });
    if (classified.kind !== 'name') {
      invalid.push({ domain: given.domain, fields: [...given.fields], status: 'invalid' });
      continue;
    }
    const known = distinct.get(classified.name);
    if (known === undefined) distinct.set(classified.name, { domain: classified.name, fields: [...given.fields] });
    else for (const field of given.fields) if (!known.fields.includes(field)) known.fields.push(field);
  }
  const found = [...distinct.values()];
  const chosen = found.slice(0, limit);
  const lookups: MaybeAsync<HeaderDomainCheck>[] = [];
  for (const entry of chosen) lookups.push(lookUp(ctx, entry.domain, entry.fields));
  return andThen(all(lookups), (checked) => summarize(invalid, checked, limit, found.length - chosen.length));
}

/** The result from the outcome of each domain. */
function summarize(
  invalid: HeaderDomainCheck[],
  checked: HeaderDomainCheck[],
  limit: number,
  skipped: number,
): HeaderDomainsResult {
  const outcomes = invalid.length > 0 ? [...invalid, ...checked] : checked;
  const details: HeaderDetail[] = [];
  for (const check of outcomes) {
    const detail = detailFor(check);
    if (detail !== undefined) details.push(detail);
  }
  const findings = findingsOf(details);
  const dnsError = checked.find((check) => check.status === 'temperror')?.dnsError;
  const result: HeaderDomainsResult = {
    result: findings.length > 0 ? 'fail' : dnsError !== undefined ? 'temperror' : 'pass',
    findings,
    details,
    domains: outcomes,
    domainLimit: limit,
    domainsSkipped: skipped,
  };
  if (dnsError !== undefined) result.dnsError = dnsError;
  return result;
}
