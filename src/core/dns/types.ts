/**
 * The DNS contract every check uses (docs/architecture.md, docs/dns.md).
 *
 * Outcomes are kept distinct because the RFCs decide on them: SPF (RFC 7208 §4.3, §5) turns NXDOMAIN/NODATA
 * into `none` or a void lookup, but a timeout or SERVFAIL into `temperror`; DKIM (RFC 6376 §6.1.2) and DMARC
 * (RFC 7489 §6.6.3) do the same.
 */

/** Why a query produced no records. */
export type DnsFailureKind = 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused';

/** The failures that mean "try again later" (SPF and DMARC `temperror`, RFC 7208 §2.6.6, RFC 7489 §6.6.3). */
export type TemporaryDnsFailure = 'timeout' | 'servfail' | 'refused';

/** The failures that mean "no records": a void lookup in RFC 7208 §4.6.4's words. */
export type VoidDnsFailure = 'nxdomain' | 'nodata';

/** True for a failure that may go away when asked again: timeout, SERVFAIL, REFUSED. */
export function isTemporaryDnsFailure(kind: DnsFailureKind): kind is TemporaryDnsFailure {
  switch (kind) {
    case 'timeout':
    case 'servfail':
    case 'refused':
      return true;
    case 'nxdomain':
    case 'nodata':
      return false;
  }
}

/** True for a failure that says the name has no such records: NXDOMAIN or NODATA (RFC 7208 §4.6.4 "void"). */
export function isVoidDnsFailure(kind: DnsFailureKind): kind is VoidDnsFailure {
  return !isTemporaryDnsFailure(kind);
}

/** The answer to one query: records with the smallest TTL among them, or the reason there are none. */
export type DnsAnswer<T> = { ok: true; records: T[]; ttl: number } | { ok: false; kind: DnsFailureKind };

/** An MX record, RFC 1035 §3.3.9. `exchange` is lower case, without the trailing dot. */
export interface MxRecord {
  priority: number;
  exchange: string;
}

/** What the checks ask of DNS. Names are absolute, without a trailing dot; answers never throw. */
export interface Resolver {
  /** TXT records, RFC 1035 §3.3.14: the character-strings of one record joined (RFC 7208 §3.3). */
  txt(name: string): Promise<DnsAnswer<string>>;
  /** IPv4 addresses in dotted-quad form. */
  a(name: string): Promise<DnsAnswer<string>>;
  /** IPv6 addresses in RFC 5952 canonical form. */
  aaaa(name: string): Promise<DnsAnswer<string>>;
  mx(name: string): Promise<DnsAnswer<MxRecord>>;
  /** PTR names for an IPv4 or IPv6 address (the reverse name is built here), lower case, no trailing dot. */
  ptr(ip: string): Promise<DnsAnswer<string>>;
  /**
   * The answer `kind(name)` would give, when it is known without waiting (zone data, a live cache entry, an answer
   * already given), else undefined; it counts as asking (a trace records it). For `ptr`, `name` is the address.
   * Optional: checks whose answers are all known finish without waiting; the others fall back to the methods
   * above.
   */
  known?<K extends RecordKind>(kind: K, name: string): DnsAnswer<AnswerRecord[K]> | undefined;
}

/** The record type of each `Resolver` lookup, by its method name. */
export interface AnswerRecord {
  txt: string;
  a: string;
  aaaa: string;
  mx: MxRecord;
  ptr: string;
}

/** The lookups of a `Resolver`, by method name. */
export type RecordKind = keyof AnswerRecord;

/** The record types mailtrust queries, by name (RFC 1035 §3.2.2, RFC 3596). */
export type QueryType = 'A' | 'AAAA' | 'TXT' | 'MX' | 'PTR' | 'CNAME' | 'NS' | 'SOA';

/** One query as the trace records it, for explaining a result (docs/dns.md). */
export interface TraceEntry {
  name: string;
  type: QueryType;
  /** `ok` when records came back, else the failure kind. */
  outcome: 'ok' | DnsFailureKind;
  /** Records returned (as text), empty when none. */
  records: string[];
  /** TTL of the answer (negative TTL for cached failures), 0 when unknown. */
  ttl: number;
  /** Wall time of the lookup in milliseconds (0 when answered from cache). */
  ms: number;
  /** Where the answer came from. */
  source: 'network' | 'cache' | 'zone';
}
