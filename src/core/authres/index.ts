/** Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617 §4.1.1): format and parse. */
export { authResEntries } from './entries.js';
export type {
  ArcAuthResInput,
  AuthResInput,
  DkimAuthResInput,
  DmarcAuthResInput,
  IprevAuthResInput,
  SpfAuthResInput,
} from './entries.js';
export { formatArcAuthenticationResults, formatAuthenticationResults } from './format.js';
export type { AuthResFormatOptions } from './format.js';
export { defaultAuthResParseLimits, parseArcAuthenticationResults, parseAuthenticationResults } from './parse.js';
export type { AuthResParseLimits } from './parse.js';
export type { ArcAuthenticationResults, AuthenticationResults, AuthResEntry, AuthResProperty } from './types.js';
