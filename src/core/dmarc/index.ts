/** DMARC (RFC 7489, RFC 9091 `np`): record parsing, policy discovery, author domain, alignment, evaluation. */
export { isAligned } from './alignment.js';
export { authorDomain } from './author-domain.js';
export type { AuthorDomain, AuthorDomainErrorCode } from './author-domain.js';
export { discoverDmarcRecord, prefetchDmarcRecords } from './discovery.js';
export type { DmarcDiscovery, TemporaryDnsFailure } from './discovery.js';
export { evaluateDmarc } from './evaluate.js';
export { parseAddressList } from './from-address.js';
export type { Mailbox } from './from-address.js';
export { sampledPolicy } from './percentage.js';
export { isDmarcRecord, parseDmarcRecord } from './record.js';
export type {
  AlignmentMode,
  DmarcPolicy,
  DmarcRecord,
  DmarcRecordErrorCode,
  DmarcRecordWarning,
  DmarcReportUri,
  FailureReportOption,
} from './record.js';
export type {
  DmarcDkimResultValue,
  DmarcDkimInput,
  DmarcError,
  DmarcInput,
  DmarcResult,
  DmarcResultValue,
  DmarcSpfInput,
  IdentifierAlignment,
  PolicySource,
  DmarcSpfResultValue,
} from './types.js';
