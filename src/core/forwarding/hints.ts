/**
 * Signs of forwarding in a message header (guide: "Zendesk attempts to detect forwarded emails … support@yourdomain.com
 * >> support@subdomain.zendesk.com"): fields a forwarder adds, and `Received` fields naming another recipient.
 * Pure; the caller passes the unfolded header fields and the envelope recipients.
 */
import type { ForwardingHint } from './input.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const FOR_CLAUSE = /(?:^|[\s;)])for\s+<?([^\s<>;]+@[^\s<>;]+?)>?(?=[\s;]|$)/i;
const ANGLE_BRACKETS = /^<|>$/g;

/** Fields that only a re-sender or forwarder adds: RFC 5322 §3.6.6 resent fields, common forwarding stamps. */
const FORWARDING_FIELDS: ReadonlySet<string> = new Set([
  'resent-from',
  'resent-sender',
  'resent-to',
  'x-forwarded-to',
  'x-forwarded-for',
]);

/** Received fields read at most: a hostile header with thousands of them costs no more. */
const MAX_RECEIVED_FIELDS = 50;
const MAX_DETAIL = 200;

/** The address of a `for` clause of a Received field (RFC 5321 §4.4 `For`), lower case, or undefined. */
function receivedFor(value: string): string | undefined {
  const match = FOR_CLAUSE.exec(value.slice(0, 2000));
  return match?.[1]?.toLowerCase();
}

/**
 * Forwarding hints in `fields` (name, unfolded value; any order): each resent/forwarding field, and each
 * `Received: … for <addr>` whose address is none of `rcptTo` (the message was addressed to someone else before it
 * reached this receiver). Without `rcptTo`, Received fields are not read.
 */
export function forwardingHintsFromHeader(
  fields: readonly { name: string; value: string }[],
  rcptTo?: readonly string[],
): ForwardingHint[] {
  const hints: ForwardingHint[] = [];
  const recipients = rcptTo?.map((address) => address.trim().replace(ANGLE_BRACKETS, '').toLowerCase());
  let received = 0;
  for (const field of fields) {
    const name = field.name.toLowerCase();
    if (FORWARDING_FIELDS.has(name)) {
      hints.push({ source: name, detail: field.value.trim().slice(0, MAX_DETAIL) });
    } else if (name === 'received' && recipients && recipients.length > 0 && received < MAX_RECEIVED_FIELDS) {
      received++;
      const address = receivedFor(field.value);
      if (address !== undefined && !recipients.includes(address)) hints.push({ source: name, detail: address });
    }
  }
  return hints;
}
