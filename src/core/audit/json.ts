/**
 * The audit JSON (docs/audit.md): what `mailtrust audit --json` prints and `GET /api/v1/audit/{domain}` answers,
 * built in one place so the two stay the same.
 */
import type { AuditReport } from './types.js';

/** The audit JSON (docs/audit.md): `{ domain, result, checks, …, dns: { queries, wallMs, criticalPathDepth, …, unreachable } }`. */
export function auditReportJson(report: AuditReport, wallMs: number): Record<string, unknown> {
  return {
    domain: report.domain,
    result: report.result,
    checks: report.checks.map((c) => ({
      id: c.id,
      area: c.area,
      status: c.status,
      message: c.message,
      remedy: c.remedy,
      ...(c.record !== undefined ? { record: c.record } : {}),
      ...(c.value !== undefined ? { value: c.value } : {}),
      rule: c.rule,
      ...(c.subject !== undefined ? { subject: c.subject } : {}),
    })),
    domainExists: report.domainExists,
    suggestions: report.suggestions,
    addresses: report.addresses,
    selectors: report.selectors,
    heloSource: report.heloSource,
    dns: {
      queries: report.dns.queries,
      wallMs: Math.round(wallMs),
      criticalPathDepth: report.dns.criticalPathDepth,
      answered: report.dns.answered,
      temporaryFailures: report.dns.temporaryFailures,
      unreachable: report.dns.unreachable,
    },
  };
}
