/** Header checks (guide: RFC 5322 formatting; valid, resolvable domains in sender and recipient headers). */
export { checkHeaders } from './check.js';
export type { HeadersResult } from './check.js';
export { checkHeaderFields, SINGLE_FIELDS } from './fields.js';
export type { HeaderDomain, HeaderFieldReport, HeaderMailboxes } from './fields.js';
export { checkHeaderDomains, DEFAULT_MAX_HEADER_DOMAINS } from './domains.js';
export type { HeaderDomainCheck, HeaderDomainStatus, HeaderDomainsOptions, HeaderDomainsResult } from './domains.js';
export { parseDateTime, MAX_DATE_LENGTH } from './date.js';
export type { DateInvalidReason, DateParseResult, DateTime } from './date.js';
export { parseMessageId, MAX_MESSAGE_ID_LENGTH } from './message-id.js';
export type { MessageId } from './message-id.js';
export { classifyMailDomain } from './mail-domain.js';
export type { MailDomain } from './mail-domain.js';
export { fromDomain, fromMailboxes, replyToMailboxes, HEADER_ADDRESS_LIMITS } from './mailboxes.js';
export { ADDRESS_FIELDS, HEADER_FINDINGS } from './findings.js';
export type { AddressField, HeaderDetail, HeaderFinding, HeaderReason } from './findings.js';
