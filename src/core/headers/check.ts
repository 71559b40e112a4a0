/**
 * The header checks of a message (DESIGN §4.3 `headers`): the pure RFC 5322 checks of `fields.ts`, then the DNS
 * checks of `domains.ts` for the domains found in From, Sender, Reply-To, To and Cc.
 */
import type { CheckContext } from '../context.js';
import type { DnsFailureKind } from '../dns/types.js';
import type { ParsedHeader } from '../message/header.js';
import { checkHeaderDomains, type HeaderDomainCheck, type HeaderDomainsOptions } from './domains.js';
import { checkHeaderFields } from './fields.js';
import { findingsOf, type HeaderDetail, type HeaderFinding } from './findings.js';

/** DESIGN §4.3 `headers`, with the details the verdict explains findings from. */
export interface HeadersResult {
  /** `fail` with any finding; else `temperror` when a domain lookup could not be answered; else `pass`. */
  result: 'pass' | 'fail' | 'temperror';
  /** Distinct finding ids (DESIGN §6), in the order of `HEADER_FINDINGS`. */
  findings: HeaderFinding[];
  details: HeaderDetail[];
  /** Per-domain DNS outcome (domains that could not be looked up at all are in `details` only). */
  domains: HeaderDomainCheck[];
  domainLimit: number;
  domainsSkipped: number;
  /** Set when a lookup timed out or failed: the verdict is retryable. */
  dnsError?: DnsFailureKind;
}

/** Checks a message's header fields and the domains they name. Never throws. */
export async function checkHeaders(
  ctx: CheckContext,
  header: Pick<ParsedHeader, 'fields'>,
  options: HeaderDomainsOptions = {},
): Promise<HeadersResult> {
  const report = checkHeaderFields(header);
  const dns = await checkHeaderDomains(ctx, report.domains, options);
  const details = [...report.details, ...dns.details];
  const findings = findingsOf(details);
  const result: HeadersResult = {
    result: findings.length > 0 ? 'fail' : dns.dnsError !== undefined ? 'temperror' : 'pass',
    findings,
    details,
    domains: dns.domains,
    domainLimit: dns.domainLimit,
    domainsSkipped: dns.domainsSkipped,
  };
  if (dns.dnsError !== undefined) result.dnsError = dns.dnsError;
  return result;
}
