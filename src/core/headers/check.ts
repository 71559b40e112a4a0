/**
 * The header checks of a message (DESIGN §4.3 `headers`): the pure RFC 5322 checks of `fields.ts`, then the DNS
 * checks of `domains.ts` for the domains found in From, Sender, Reply-To, To and Cc.
 */
import type { CheckContext } from '../context.js';
import type { ParsedHeader } from '../message/header.js';
import { checkHeaderDomains, type HeaderDomainsOptions, type HeaderDomainsResult } from './domains.js';
import { checkHeaderFields } from './fields.js';
import { findingsOf } from './findings.js';

/**
 * DESIGN §4.3 `headers`, with the details the verdict explains findings from: the shape of the domain check's
 * result, with the findings of the field checks added.
 */
export type HeadersResult = HeaderDomainsResult;

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
  return {
    ...dns,
    result: findings.length > 0 ? 'fail' : dns.dnsError !== undefined ? 'temperror' : 'pass',
    findings,
    details,
  };
}
