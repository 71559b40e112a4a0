export { checkIprev, MAX_PTR_NAMES } from './check.js';
export type { IprevFinding, IprevResult, IprevResultCode } from './check.js';
export { genericNameReason } from './generic-name.js';
export type { GenericNameReason } from './generic-name.js';
