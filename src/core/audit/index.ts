/** Sending-domain audit (docs/audit.md): PTR, HELO, SPF, DKIM, DMARC and MX checks with the records to publish. */
export { auditDomain, canonicalAddress, MAX_AUDITED_ADDRESSES, MAX_SELECTORS } from './audit.js';
export { auditReportJson } from './json.js';
export { COMMON_DKIM_SELECTORS } from './selectors.js';
export { LookupTracker } from './lookup-tracker.js';
export { worstStatus } from './check.js';
export { suggestDkim, suggestDmarc, suggestPtr, suggestSpf, datedSelector } from './suggestions.js';
export type { SpfSuggestionInput } from './suggestions.js';
export type {
  AuditArea,
  AuditCheck,
  AuditDnsStats,
  AuditInput,
  AuditReport,
  AuditResult,
  AuditStatus,
  AuditedAddresses,
  AuditedSelectors,
  SuggestedRecord,
} from './types.js';
