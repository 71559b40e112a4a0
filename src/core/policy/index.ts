/** The receiver's policy (docs/trust-model.md): trusted forwarders, relay domains, finding levels; and the finding ids. */
export { FINDING_IDS, isFindingId } from './finding-ids.js';
export type { FindingId } from './finding-ids.js';
export { parsePolicy } from './parse.js';
export type { PolicyErrorCode } from './parse.js';
export { defaultPolicy, matchesDomainList, policyLevel } from './policy.js';
export type { FindingLevel, Policy } from './policy.js';
