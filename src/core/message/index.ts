/** Message access on bytes (RFC 5322): header fields in order with duplicates, the body as a byte range. */
export {
  defaultHeaderLimits,
  fieldValue,
  fieldValueBytes,
  fieldValueLatin1,
  findHeaderEnd,
  getFields,
  latin1Text,
  utf8Text,
  parseHeaderBlock,
  toCrlf,
  unfold,
} from './header.js';
export type { HeaderField, HeaderLimits, ParsedHeader } from './header.js';
export { isParsedMessage, parseMessage, readMessage } from './message.js';
export type { ParsedMessage } from './message.js';
export { MessageSplitter } from './splitter.js';
export { addressLimitExceeded, isAtext, MAX_ADDRESS_FIELD_LENGTH, MAX_MAILBOXES, parseAddressList } from './address.js';
export type { AddressListOptions, Mailbox } from './address.js';
export { stripReversePath } from './reverse-path.js';
