/**
 * The pure header checks (guide: "formatted correctly, in accordance with RFC 5322", "properly formatted Subject:,
 * From:, To:, and Reply-To: headers"): field counts of RFC 5322 §3.6, address syntax of From, Sender, Reply-To,
 * To and Cc (§3.4, RFC 6532), Date (§3.3) and Message-ID (§3.6.4), and the domains of every mailbox, ready for
 * the DNS checks of `domains.ts`.
 */
import type { Mailbox } from '../message/address.js';
import { addressLimitExceeded } from '../message/address.js';
import type { HeaderField, ParsedHeader } from '../message/header.js';
import type { ParseError } from '../parse-result.js';
import { skipCfws } from './cfws.js';
import { parseDateTime, type DateTime } from './date.js';
import { detailValue, fieldText } from './field-text.js';
import { ADDRESS_FIELDS, findingsOf, type AddressField, type HeaderDetail, type HeaderFinding } from './findings.js';
import { classifyMailDomain } from './mail-domain.js';
import { parseAddressField } from './mailboxes.js';
import { MAX_MESSAGE_ID_LENGTH, parseMessageId, type MessageId } from './message-id.js';

/** Fields RFC 5322 §3.6 allows at most once (Date and From must appear exactly once). */
export const SINGLE_FIELDS: readonly string[] = [
  'date',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
];

/** Every field name the checks read: the single fields and the address fields. */
const CHECKED_FIELDS: ReadonlySet<string> = new Set([...SINGLE_FIELDS, 'from', 'sender', 'reply-to', 'to', 'cc']);
const NO_FIELDS: readonly HeaderField[] = Object.freeze([]);

/** A domain found in the address fields, in A-label form, with the fields it appears in. */
export interface HeaderDomain {
  domain: string;
  fields: AddressField[];
}

/** The mailboxes of each address field (all fields of a name, in order; an unparsable field adds none). */
export type HeaderMailboxes = Record<AddressField, Mailbox[]>;

/** What the pure checks found. */
export interface HeaderFieldReport {
  /** Distinct finding ids (docs/trust-model.md), in the order of `HEADER_FINDINGS`. */
  findings: HeaderFinding[];
  /** One entry per occurrence. */
  details: HeaderDetail[];
  mailboxes: HeaderMailboxes;
  /** Distinct usable domains of From, Sender, Reply-To, To, Cc, sender side first: what DNS should confirm. */
  domains: HeaderDomain[];
  /** The first Date field, when it parsed. */
  date?: DateTime;
  /** The first Message-ID field, when it parsed. */
  messageId?: MessageId;
}

type ParsedField = { ok: true; text: string; mailboxes: Mailbox[] } | { ok: false };

/**
 * Checks the header fields of a message against RFC 5322 §3.6 (see the module comment). Pure and bounded:
 * address fields over 256 KiB or 10,000 mailboxes, Date and Message-ID values over 4 KiB, and comments nested
 * over 64 deep are reported as invalid rather than parsed.
 *
 * Decisions: a missing To is `headers.to-missing` even when Cc or Bcc name recipients (the guide asks for a To;
 * the reason says `cc-or-bcc-only`); an unparsable Message-ID is reported as `headers.message-id-missing` with
 * reason `invalid` (docs/trust-model.md has no id of its own for it); From and Reply-To syntax errors use their own ids
 * (`from-invalid`, `reply-to-invalid`), Sender, To and Cc use `headers.address-invalid`.
 */
export function checkHeaderFields(header: Pick<ParsedHeader, 'fields'>): HeaderFieldReport {
  const details: HeaderDetail[] = [];
  // The fields these checks read, by name (the rest of the header is not looked at).
  const byName: Partial<Record<string, HeaderField[]>> = {};
  for (const field of header.fields) {
    if (!CHECKED_FIELDS.has(field.name)) continue;
    const list = byName[field.name];
    if (list) list.push(field);
    else byName[field.name] = [field];
  }
  const fieldsNamed = (name: string): readonly HeaderField[] => byName[name] ?? NO_FIELDS;

  // §3.6: counts.
  for (const name of SINGLE_FIELDS) {
    const count = fieldsNamed(name).length;
    if (count > 1 && name !== 'from') details.push({ id: 'headers.duplicate', field: name, count });
  }

  const mailboxes: HeaderMailboxes = { from: [], sender: [], 'reply-to': [], to: [], cc: [] };
  const parseAll = (name: AddressField, invalidId: HeaderFinding): ParsedField[] =>
    fieldsNamed(name).map((field) => {
      const parsed = parseAddressFieldValue(field, name, invalidId, details);
      if (parsed.ok) mailboxes[name].push(...parsed.mailboxes);
      return parsed;
    });

  // From (§3.6.2): exactly one field naming at least one mailbox.
  const fromFields = parseAll('from', 'headers.from-invalid');
  if (fromFields.length === 0) details.push({ id: 'headers.from-missing', field: 'from', reason: 'missing' });
  if (fromFields.length > 1) {
    details.push({ id: 'headers.from-multiple', field: 'from', reason: 'several-fields', count: fromFields.length });
  }
  for (const from of fromFields) {
    if (from.ok && from.mailboxes.length === 0) {
      details.push({ id: 'headers.from-invalid', field: 'from', value: detailValue(from.text), reason: 'no-mailbox' });
    }
  }

  // Sender (§3.6.2): a single mailbox.
  const senderFields = parseAll('sender', 'headers.address-invalid');
  let singleSender = false;
  for (const sender of senderFields) {
    if (!sender.ok) continue;
    const mailbox = sender.mailboxes[0];
    if (sender.mailboxes.length === 1 && mailbox?.group === undefined) {
      singleSender = true;
    } else {
      details.push({
        id: 'headers.address-invalid',
        field: 'sender',
        value: detailValue(sender.text),
        reason: 'not-single-mailbox',
      });
    }
  }
  // §3.6.2: "If the from field contains more than one mailbox specification …, then the sender field …
  // MUST appear in the message."
  const from = fromFields[0];
  if (fromFields.length === 1 && from?.ok && from.mailboxes.length > 1 && !singleSender) {
    details.push({
      id: 'headers.from-multiple',
      field: 'from',
      value: detailValue(from.text),
      reason: 'several-mailboxes-without-sender',
      count: from.mailboxes.length,
    });
  }

  // Reply-To, To, Cc (§3.6.2, §3.6.3): address lists.
  parseAll('reply-to', 'headers.reply-to-invalid');
  const toFields = parseAll('to', 'headers.address-invalid');
  parseAll('cc', 'headers.address-invalid');

  // Subject and To, as the guide asks.
  if (fieldsNamed('subject').length === 0) {
    details.push({ id: 'headers.subject-missing', field: 'subject', reason: 'missing' });
  }
  if (toFields.length === 0) {
    const others = fieldsNamed('cc').length + fieldsNamed('bcc').length;
    details.push({ id: 'headers.to-missing', field: 'to', reason: others > 0 ? 'cc-or-bcc-only' : 'no-destination' });
  }

  // Date (§3.3, §3.6.1).
  let date: DateTime | undefined;
  const dateFields = fieldsNamed('date');
  if (dateFields.length === 0) details.push({ id: 'headers.date-missing', field: 'date', reason: 'missing' });
  dateFields.forEach((field, index) => {
    const text = fieldText(field);
    if (text === undefined) {
      details.push({ id: 'headers.date-invalid', field: 'date', reason: 'invalid-utf8' });
      return;
    }
    const parsed = parseDateTime(text);
    if (parsed.ok) {
      if (index === 0) date = parsed.value;
      return;
    }
    details.push({
      id: 'headers.date-invalid',
      field: 'date',
      value: detailValue(text),
      reason: parsed.reason ?? 'syntax',
      ...errorDetail(parsed.error),
    });
  });

  // Message-ID (§3.6.4): SHOULD be present; when present, one msg-id.
  let messageId: MessageId | undefined;
  const idFields = fieldsNamed('message-id');
  if (idFields.length === 0) details.push({ id: 'headers.message-id-missing', field: 'message-id', reason: 'missing' });
  idFields.forEach((field, index) => {
    const text = fieldText(field);
    if (text === undefined) {
      details.push({ id: 'headers.message-id-missing', field: 'message-id', reason: 'invalid-utf8' });
      return;
    }
    const parsed = parseMessageId(text);
    if (parsed.ok) {
      if (index === 0) messageId = parsed.value;
      return;
    }
    const tooLong = text.length > MAX_MESSAGE_ID_LENGTH;
    details.push({
      id: 'headers.message-id-missing',
      field: 'message-id',
      value: detailValue(text),
      reason: tooLong ? 'too-long' : 'invalid',
      ...errorDetail(parsed.error),
    });
  });

  const domains = collectDomains(mailboxes, details);
  const report: HeaderFieldReport = { findings: findingsOf(details), details, mailboxes, domains };
  if (date) report.date = date;
  if (messageId) report.messageId = messageId;
  return report;
}

/** Decodes and parses one address field, adding a detail when it is not valid. */
function parseAddressFieldValue(
  field: HeaderField,
  name: AddressField,
  invalidId: HeaderFinding,
  details: HeaderDetail[],
): ParsedField {
  const text = fieldText(field);
  if (text === undefined) {
    details.push({ id: invalidId, field: name, reason: 'invalid-utf8' });
    return { ok: false };
  }
  // An empty From, Sender, Reply-To, To or Cc is not an address list (§3.4; only Bcc may be empty, §3.6.3).
  const blank = skipCfws(text, 0);
  if (blank.ok && blank.end === text.length) {
    details.push({ id: invalidId, field: name, value: detailValue(text), reason: 'empty' });
    return { ok: false };
  }
  const parsed = parseAddressField(text);
  if (parsed.ok) return { ok: true, text, mailboxes: parsed.value };
  const limit = addressLimitExceeded(parsed.error);
  details.push({
    id: invalidId,
    field: name,
    value: detailValue(text),
    reason: limit === 'length' ? 'too-long' : limit === 'mailboxes' ? 'too-many-mailboxes' : 'syntax',
    ...errorDetail(parsed.error),
  });
  return { ok: false };
}

function errorDetail(error: ParseError): { error: string; offset?: number } {
  return error.offset === undefined ? { error: error.message } : { error: error.message, offset: error.offset };
}

/**
 * The distinct domains of the address fields, sender side first. Domains that cannot be looked up (invalid,
 * literals, single labels, special-use names) become `headers.domain-unresolvable` details here.
 */
function collectDomains(mailboxes: HeaderMailboxes, details: HeaderDetail[]): HeaderDomain[] {
  const usable = new Map<string, HeaderDomain>();
  const unusable = new Map<string, HeaderDetail & { fields: AddressField[] }>();
  for (const field of ADDRESS_FIELDS) {
    for (const mailbox of mailboxes[field]) {
      const domain = classifyMailDomain(mailbox);
      if (domain.kind === 'name') {
        const entry = usable.get(domain.name);
        if (entry === undefined) usable.set(domain.name, { domain: domain.name, fields: [field] });
        else if (!entry.fields.includes(field)) entry.fields.push(field);
        continue;
      }
      const written = mailbox.domainLiteral ? `[${mailbox.domain}]` : mailbox.domain;
      const key = written.toLowerCase();
      const entry = unusable.get(key);
      if (entry === undefined) {
        unusable.set(key, {
          id: 'headers.domain-unresolvable',
          field,
          fields: [field],
          value: detailValue(written),
          reason: domain.reason,
          // A well-formed name that is refused anyway (one label, special-use) is given in A-labels too.
          ...('normalized' in domain ? { domain: domain.normalized } : {}),
        });
      } else if (!entry.fields.includes(field)) {
        entry.fields.push(field);
      }
    }
  }
  details.push(...unusable.values());
  return [...usable.values()];
}
