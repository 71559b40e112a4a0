/** Building audit checks and combining their statuses (docs/audit.md). */
import { isTemporaryDnsFailure, type DnsFailureKind } from '../dns/types.js';
import type { AuditArea, AuditCheck, AuditResult, AuditStatus } from './types.js';

/** The optional fields of a check. */
export interface CheckDetails {
  subject?: string | undefined;
  record?: string | undefined;
  value?: string | undefined;
}

/** A check with its optional fields set only when they have a value (exactOptionalPropertyTypes). */
export function makeCheck(
  area: AuditArea,
  id: string,
  status: AuditStatus,
  text: { message: string; remedy?: string; rule: string },
  details: CheckDetails = {},
): AuditCheck {
  const check: AuditCheck = { id, area, status, message: text.message, remedy: text.remedy ?? '', rule: text.rule };
  if (details.subject !== undefined) check.subject = details.subject;
  if (details.record !== undefined) check.record = details.record;
  if (details.value !== undefined) check.value = details.value;
  return check;
}

/** A lookup that failed for now: the check could not be made (`dns.temperror`, a warning). */
export function temporaryFailureCheck(
  area: AuditArea,
  what: string,
  kind: DnsFailureKind | undefined,
  subject?: string,
): AuditCheck {
  return makeCheck(
    area,
    'dns.temperror',
    'warn',
    {
      message: `${what} could not be checked: the lookup failed (${kind ?? 'temporary failure'})`,
      remedy: 'check that the zone’s name servers answer (or use --dns), then run the audit again',
      rule: 'RFC 7208 §2.6.6, RFC 7489 §6.6.3, RFC 8601 §2.7: a temporary DNS failure decides nothing',
    },
    { subject, value: kind },
  );
}

/** The result of a list of checks: `fail` if any fails, else `warn` if any warns, else `pass`. */
export function worstStatus(checks: readonly AuditCheck[]): AuditResult {
  let result: AuditResult = 'pass';
  for (const check of checks) {
    switch (check.status) {
      case 'fail':
        return 'fail';
      case 'warn':
        result = 'warn';
        break;
      case 'pass':
      case 'info':
        break;
      default: {
        const unreachable: never = check.status;
        return unreachable;
      }
    }
  }
  return result;
}

/** True for the DNS failures that mean "try again later" rather than "no such record". */
export const isTemporary = isTemporaryDnsFailure;
