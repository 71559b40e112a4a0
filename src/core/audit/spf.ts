/**
 * Recommendation 3 (an SPF record that authorizes every sending IP): one valid SPF record that authorizes every sending address (RFC 7208), read from the
 * lint of the record tree (src/core/spf/lint.ts) and check_host() for each address.
 */
import type { SpfLintFinding, SpfLintReport } from '../spf/lint.js';
import type { SpfResult } from '../spf/types.js';
import { makeCheck, temporaryFailureCheck } from './check.js';
import type { AuditCheck, AuditStatus } from './types.js';

/** Rule and fix per lint finding id. */
function lintText(id: string, domain: string): { rule: string; remedy: string } {
  switch (id) {
    case 'spf.none':
      return {
        rule: 'Recommendation 3 (an SPF record that authorizes every sending IP); RFC 7208 §4.5: the domain publishes an SPF record',
        remedy: `publish the suggested SPF record as a TXT record at ${domain}`,
      };
    case 'spf.multiple-records':
      return {
        rule: 'RFC 7208 §4.5: exactly one record starting with v=spf1 (several give permerror)',
        remedy: 'merge them into one record (see the suggested SPF record) and delete the others',
      };
    case 'spf.permerror':
      return { rule: 'RFC 7208 §4.6, §12: record syntax', remedy: 'fix the term named; the suggested record is valid' };
    case 'spf.too-many-lookups':
      return {
        rule: 'RFC 7208 §4.6.4: at most 10 DNS-querying terms (include, a, mx, ptr, exists, redirect)',
        remedy: 'replace includes you no longer need, or list addresses as ip4:/ip6: (see the suggested record)',
      };
    case 'spf.too-many-void-lookups':
    case 'spf.void-lookup':
      return {
        rule: 'RFC 7208 §4.6.4: at most 2 lookups that return no records',
        remedy: 'remove a:/mx: terms whose names have no records',
      };
    case 'spf.include-loop':
    case 'spf.include-not-found':
      return {
        rule: 'RFC 7208 §5.2, §6.1: include and redirect targets publish an SPF record',
        remedy: 'remove or correct the include/redirect target',
      };
    case 'spf.ptr-mechanism':
      return { rule: 'RFC 7208 §5.5: ptr SHOULD NOT be used', remedy: 'replace ptr with ip4:/ip6: or a: terms' };
    case 'spf.plus-all':
      return {
        rule: 'RFC 7208 §5.1: +all authorizes every host',
        remedy: "end the record with '~all' or '-all'",
      };
    case 'spf.neutral':
      return {
        rule: 'RFC 7208 §8.2: ?all (neutral) asserts nothing about unlisted hosts',
        remedy: "end the record with '~all' or '-all'",
      };
    case 'spf.no-all':
      return {
        rule: 'RFC 7208 §4.7: without all or redirect= the default result is neutral',
        remedy: "end the record with '~all' or '-all'",
      };
    case 'spf.record-too-long':
      return {
        rule: 'RFC 7208 §3.3, §3.4: strings of at most 255 octets, records within 512 octets',
        remedy: 'shorten the record (fewer terms, ip4 networks instead of single addresses)',
      };
    case 'spf.temperror':
      return {
        rule: 'RFC 7208 §2.6.6: a temporary DNS failure',
        remedy: 'check that the name servers of the target answer, then run the audit again',
      };
    default:
      return { rule: 'RFC 7208', remedy: '' };
  }
}

function lintCheck(finding: SpfLintFinding, root: string): AuditCheck {
  const text = lintText(finding.id, root);
  return makeCheck(
    'spf',
    finding.id,
    finding.status satisfies AuditStatus,
    { message: finding.message, remedy: text.remedy, rule: text.rule },
    { subject: finding.domain, value: finding.term },
  );
}

/**
 * Checks of the record tree: the lint findings, plus the passes that show what was looked at (the record, the
 * lookups used of 10, the void lookups of 2, how the record ends).
 */
export function spfLintChecks(report: SpfLintReport, limits: { dns: number; void: number }): AuditCheck[] {
  const domain = report.domain;
  const ids = new Set(report.findings.map((f) => f.id));
  const checks: AuditCheck[] = [];
  const broken = ids.has('spf.none') || ids.has('spf.multiple-records') || ids.has('spf.permerror');
  const rootTemperror = report.tree.outcome === 'temperror';
  if (rootTemperror) return [temporaryFailureCheck('spf', `the SPF record of ${domain}`, undefined, domain)];
  if (!broken && report.record !== undefined)
    checks.push(
      makeCheck(
        'spf',
        'spf.none',
        'pass',
        { message: `${domain} publishes one SPF record`, rule: lintText('spf.none', domain).rule },
        { subject: domain, record: report.record },
      ),
    );
  for (const finding of report.findings) {
    const check = lintCheck(finding, domain);
    if (finding.id === 'spf.none' || finding.id === 'spf.multiple-records' || finding.id === 'spf.permerror')
      if (report.record !== undefined) check.record = report.record;
    if (finding.id === 'spf.too-many-lookups' && finding.domain === domain && finding.term === undefined)
      check.value = `${report.lookups}/${limits.dns}`;
    if (finding.id === 'spf.too-many-void-lookups') check.value = `${report.voidLookups}/${limits.void}`;
    checks.push(check);
  }
  if (broken) return checks;
  if (!ids.has('spf.too-many-lookups'))
    checks.push(
      makeCheck(
        'spf',
        'spf.too-many-lookups',
        'pass',
        {
          message: `${report.lookups} of ${limits.dns} DNS-querying terms across the include tree (worst case)`,
          rule: lintText('spf.too-many-lookups', domain).rule,
        },
        { subject: domain, value: `${report.lookups}/${limits.dns}` },
      ),
    );
  if (!ids.has('spf.too-many-void-lookups'))
    checks.push(
      makeCheck(
        'spf',
        'spf.too-many-void-lookups',
        'pass',
        {
          message: `${report.voidLookups} of ${limits.void} void lookups`,
          rule: lintText('spf.too-many-void-lookups', domain).rule,
        },
        { subject: domain, value: `${report.voidLookups}/${limits.void}` },
      ),
    );
  if (!ids.has('spf.plus-all') && !ids.has('spf.neutral') && !ids.has('spf.no-all')) {
    const ending = /(?:^|\s)([-~]all|redirect=\S+)\s*$/i.exec(report.record ?? '')?.[1];
    checks.push(
      makeCheck(
        'spf',
        'spf.no-all',
        'pass',
        {
          message: `the record ends with ${ending ?? "'all'"}, so unlisted hosts do not pass`,
          rule: lintText('spf.no-all', domain).rule,
        },
        { subject: domain, value: ending },
      ),
    );
  }
  return checks;
}

/** `spf.ip-not-authorized` for one address: check_host() for postmaster@DOMAIN must give pass. */
export function spfAddressCheck(result: SpfResult, ip: string): AuditCheck {
  const rule =
    'Recommendation 3 (an SPF record that authorizes every sending IP); RFC 7208 §4 check_host(): the record authorizes every sending address';
  const value = `${result.result}${result.mechanism !== undefined ? ` (${result.mechanism})` : ''}`;
  if (result.result === 'temperror')
    return temporaryFailureCheck('spf', `SPF for ${ip} (${result.error?.message ?? 'temperror'})`, undefined, ip);
  if (result.result === 'pass')
    return makeCheck(
      'spf',
      'spf.ip-not-authorized',
      'pass',
      {
        message: `${ip} is authorized: ${value}, after ${result.lookups} DNS lookup${result.lookups === 1 ? '' : 's'}`,
        rule,
      },
      { subject: ip, value },
    );
  const why =
    result.result === 'none'
      ? `${result.domain} has no SPF record`
      : result.result === 'permerror'
        ? `the record is broken: ${result.error?.message ?? 'permerror'}`
        : `check_host() gives ${value}`;
  return makeCheck(
    'spf',
    'spf.ip-not-authorized',
    'fail',
    {
      message: `${ip} is not authorized to send for ${result.domain}: ${why}`,
      remedy: `add ${ip.includes(':') ? 'ip6' : 'ip4'}:${ip} to the SPF record (see the suggested record)`,
      rule,
    },
    { subject: ip, value },
  );
}
