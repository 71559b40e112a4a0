/**
 * Identifier alignment, RFC 7489 §3.1: an authenticated domain is aligned with the RFC 5322.From domain when the
 * two are the same name (strict) or have the same Organizational Domain (relaxed, §3.2).
 */
import { organizationalDomainOrSelf } from '../domain/organizational-domain.js';
import type { AlignmentMode } from './record.js';

/**
 * True when `authenticatedDomain` (DKIM `d=`, SPF MAIL FROM or HELO domain) is aligned with `fromDomain` under
 * `mode` (RFC 7489 §3.1.1, §3.1.2). Both names must already be A-label, lower case, without a trailing dot.
 */
export function isAligned(authenticatedDomain: string, fromDomain: string, mode: AlignmentMode): boolean {
  if (authenticatedDomain.length === 0 || fromDomain.length === 0) return false;
  switch (mode) {
    case 'strict':
      return authenticatedDomain === fromDomain;
    case 'relaxed':
      return (
        authenticatedDomain === fromDomain ||
        organizationalDomainOrSelf(authenticatedDomain) === organizationalDomainOrSelf(fromDomain)
      );
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}
