/** The RFC 5322 address-list parser now lives in core/message (address.ts); re-exported for the DMARC code. */
export { parseAddressList, MAX_ADDRESS_FIELD_LENGTH } from '../message/address.js';
export type { Mailbox } from '../message/address.js';
