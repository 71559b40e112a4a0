/**
 * Types of the sending-domain audit (docs/audit.md): the checks of the seed's recommendations, each with its status,
 * the value found, the rule (RFC section) and the fix, plus the records to publish and the DNS work it took.
 */

/** Which seed recommendation a check belongs to (the report is grouped by these). */
export type AuditArea = 'ptr' | 'helo' | 'spf' | 'dkim' | 'dmarc' | 'mx' | 'forms';

/** How a check came out: `info` items never change the result. */
export type AuditStatus = 'pass' | 'warn' | 'fail' | 'info';

/** The overall result: the worst status among the checks (`info` counts as pass). */
export type AuditResult = 'pass' | 'warn' | 'fail';

/**
 * One check. `id` names the finding the check looks for (docs/trust-model.md, or an audit id listed in docs/audit.md):
 * status `pass` means that finding is absent, `warn`/`fail` that it is present.
 */
export interface AuditCheck {
  id: string;
  area: AuditArea;
  status: AuditStatus;
  /** What was found, in one sentence. */
  message: string;
  /** What to do about it (empty for a pass that needs nothing). */
  remedy: string;
  /** The rule the check applies, with its RFC section (or the seed recommendation). */
  rule: string;
  /** What the check is about when the area has several: an IP address, a selector, an MX host, a HELO name. */
  subject?: string;
  /** The DNS record concerned, as published (an SPF or DMARC TXT, a DKIM key record). */
  record?: string;
  /** The value found: PTR names, `7/10` lookups, a key size, a policy. */
  value?: string;
}

/** A record the admin can publish (or ask the address owner to publish) to fix a finding. */
export interface SuggestedRecord {
  kind: 'spf' | 'dmarc' | 'dkim' | 'ptr' | 'a';
  /** Owner name, without a trailing dot. */
  name: string;
  type: 'TXT' | 'PTR' | 'A' | 'AAAA';
  /** The record value (for a DKIM key, the shape of the value `mailtrust dkim keygen` prints). */
  value: string;
  /** The value as zone-file character-strings of at most 255 octets (TXT only). */
  strings?: string[];
  /** Why, and what else to do (who must publish it, what comes next). */
  note: string;
  /** SPF: DNS-querying terms of the suggested record in the worst case (RFC 7208 §4.6.4). */
  lookups?: number;
  /** DMARC: the records of the way from `p=none` to `p=reject`, in order. */
  steps?: string[];
  /** DKIM: the command that makes the key pair and prints the record. */
  command?: string;
}

/** Which sending addresses were audited, and where they came from. */
export interface AuditedAddresses {
  /** `given`: from `--ip`; `discovered`: the MX hosts' addresses and the SPF record's literal ip4/ip6. */
  source: 'given' | 'discovered';
  ips: string[];
  /** For discovered addresses: where each one was found (`mx:HOST` or `spf:TERM`). */
  origins: Record<string, string[]>;
  /** SPF ip4/ip6 networks (a prefix shorter than a host) that were not audited address by address. */
  skippedNetworks: string[];
}

/** Which DKIM selectors were tried, and where they came from. */
export interface AuditedSelectors {
  /** `given`: from `--selector`; `common`: the documented list of common selectors (DNS cannot list them). */
  source: 'given' | 'common';
  tried: string[];
  /** Selectors with a key record (revoked keys included). */
  found: string[];
}

/** DNS work of one audit. */
export interface AuditDnsStats {
  /** Distinct questions asked (each name and type once; checks share answers). */
  queries: number;
  /** The longest chain of lookups that each waited for the one before (see docs/audit.md for how it is counted). */
  criticalPathDepth: number;
  /** Questions answered (records, NXDOMAIN or NODATA). */
  answered: number;
  /** Questions that failed for now (timeout, SERVFAIL, REFUSED). */
  temporaryFailures: number;
  /** True when questions were asked and none was answered: DNS could not be reached. */
  unreachable: boolean;
}

/** What the audit is asked. */
export interface AuditInput {
  /** The sending domain. */
  domain: string;
  /** Sending IP addresses; when empty, the MX hosts' addresses and the SPF literal ip4/ip6 are audited. */
  ips?: readonly string[];
  /** The HELO/EHLO name the servers greet with; else the PTR name of each address is checked as a suggestion. */
  helo?: string;
  /** DKIM selectors; when empty, the documented common selectors are tried. */
  selectors?: readonly string[];
  /** Called as lookups start and finish (for a progress line). */
  onProgress?: (progress: { queries: number; pending: number }) => void;
}

/** The audit report: data for the CLI to render (text grouped by area, or the docs/cli.md audit JSON). */
export interface AuditReport {
  /** The domain audited (A-label form, lower case). */
  domain: string;
  result: AuditResult;
  /** False when the domain does not exist (NXDOMAIN). */
  domainExists: boolean;
  checks: AuditCheck[];
  suggestions: SuggestedRecord[];
  addresses: AuditedAddresses;
  selectors: AuditedSelectors;
  /** The HELO name checked: `given`, `ptr` (the PTR name of each address, a suggestion) or none. */
  heloSource: 'given' | 'ptr' | 'none';
  dns: AuditDnsStats;
}
