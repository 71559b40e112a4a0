/**
 * The mailboxes of the address fields (RFC 5322 §3.6.2, §3.6.3), for the checks and for the verdict (who the
 * author is, where replies go).
 */
import type { ParsedHeader } from '../message/header.js';
import { getFields } from '../message/header.js';
import { parseAddressList, type Mailbox } from '../message/address.js';
import type { ParseResult } from '../parse-result.js';
import { fieldText } from './field-text.js';
import { classifyMailDomain } from './mail-domain.js';

/**
 * Caps for address fields in the header checks: a To of 10,000 recipients is parsed, a longer list or a field
 * over 256 KiB is refused (`headers.address-invalid`, reason `too-many-mailboxes` / `too-long`).
 */
export const HEADER_ADDRESS_LIMITS = Object.freeze({ maxLength: 262_144, maxMailboxes: 10_000 });

/** Parses one address field value with the header-check caps. */
export function parseAddressField(value: string): ParseResult<Mailbox[]> {
  return parseAddressList(value, HEADER_ADDRESS_LIMITS);
}

/**
 * The author mailboxes: the one From field (§3.6.2), parsed, naming at least one mailbox. Errors carry the
 * codes `headers.from-missing`, `headers.from-multiple` (several From fields) and `headers.from-invalid`.
 */
export function fromMailboxes(header: Pick<ParsedHeader, 'fields'>): ParseResult<Mailbox[]> {
  const fields = getFields(header, 'from');
  const field = fields[0];
  if (field === undefined) return { ok: false, error: { code: 'headers.from-missing', message: 'no From field' } };
  if (fields.length > 1) {
    return { ok: false, error: { code: 'headers.from-multiple', message: `${fields.length} From fields` } };
  }
  const text = fieldText(field);
  if (text === undefined) {
    return { ok: false, error: { code: 'headers.from-invalid', message: 'From is not valid UTF-8' } };
  }
  const parsed = parseAddressField(text);
  if (!parsed.ok) return { ok: false, error: { ...parsed.error, code: 'headers.from-invalid' } };
  if (parsed.value.length === 0) {
    return { ok: false, error: { code: 'headers.from-invalid', message: 'From names no mailbox' } };
  }
  return parsed;
}

/**
 * Where replies go: the mailboxes of the one Reply-To field (§3.6.2), or of From when there is none. Errors
 * carry `headers.reply-to-invalid` (unparsable or several Reply-To fields) or the From codes.
 */
export function replyToMailboxes(header: Pick<ParsedHeader, 'fields'>): ParseResult<Mailbox[]> {
  const fields = getFields(header, 'reply-to');
  const field = fields[0];
  if (field === undefined) return fromMailboxes(header);
  if (fields.length > 1) {
    return { ok: false, error: { code: 'headers.reply-to-invalid', message: `${fields.length} Reply-To fields` } };
  }
  const text = fieldText(field);
  if (text === undefined) {
    return { ok: false, error: { code: 'headers.reply-to-invalid', message: 'Reply-To is not valid UTF-8' } };
  }
  const parsed = parseAddressField(text);
  if (!parsed.ok) return { ok: false, error: { ...parsed.error, code: 'headers.reply-to-invalid' } };
  return parsed;
}

/**
 * The From domain (A-labels, lower case) when From names mailboxes of exactly one usable domain; `undefined`
 * otherwise (DMARC's `authorDomain` gives the reasons).
 */
export function fromDomain(header: Pick<ParsedHeader, 'fields'>): string | undefined {
  const from = fromMailboxes(header);
  if (!from.ok) return undefined;
  const names = new Set<string>();
  for (const mailbox of from.value) {
    const domain = classifyMailDomain(mailbox);
    if (domain.kind !== 'name') return undefined;
    names.add(domain.name);
  }
  return names.size === 1 ? [...names][0] : undefined;
}
