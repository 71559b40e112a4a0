/**
 * The header checks of a message (docs/cli.md `headers`): the pure RFC 5322 checks of `fields.ts`, then the DNS
 * checks of `domains.ts` for the domains found in From, Sender, Reply-To, To and Cc.
 */
import type { CheckContext } from '../context.js';
import type { ParsedHeader } from '../message/header.js';
import { headerDomainsResult, type HeaderDomainsOptions, type HeaderDomainsResult } from './domains.js';
import { andThen, type MaybeAsync } from '../maybe-async.js';
import { checkHeaderFields } from './fields.js';
import { findingsOf } from './findings.js';

/**
 * docs/cli.md `headers`, with the details the verdict explains findings from: the shape of the domain check's
 * result, with the findings of the field checks added.
 */
export type HeadersResult = HeaderDomainsResult;

/** Checks a message's header fields and the domains they name. Never throws. */
export async function checkHeaders(
  ctx: CheckContext,
  header: Pick<ParsedHeader, 'fields'>,
  options: HeaderDomainsOptions = {},
): Promise<HeadersResult> {
  return headersResult(ctx, header, options);
}

/** {@link checkHeaders}, synchronous when every answer it needs is known (`Resolver.known`). */
export function headersResult(
  ctx: CheckContext,
  header: Pick<ParsedHeader, 'fields'>,
  options: HeaderDomainsOptions = {},
): MaybeAsync<HeadersResult> {
  const report = checkHeaderFields(header);
  return andThen(headerDomainsResult(ctx, report.domains, options), (dns): HeadersResult => {
    const details = report.details.length === 0 ? dns.details : [...report.details, ...dns.details];
    const findings = details.length === 0 ? dns.findings : findingsOf(details);
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
  });
}
