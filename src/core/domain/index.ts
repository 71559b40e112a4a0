/** Domain names: A-label normalization and the RFC 7489 §3.2 Organizational Domain (Public Suffix List). */
export { toAsciiDomain } from './domain-name.js';
export { organizationalDomain, organizationalDomainOrSelf } from './organizational-domain.js';
