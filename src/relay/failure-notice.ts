/**
 * The failure notice (RFC 3464 delivery status notification) the relay sends to `relay.bounceTo` when a delivery
 * fails for good. It is a `multipart/report; report-type=delivery-status` message (RFC 6522) with a human-readable
 * part, the `message/delivery-status` part (RFC 3464 §2) and the original header (`text/rfc822-headers`).
 *
 * It goes to the operator, never to the visitor: the visitor's address is unverified input, and notices sent to it
 * would be backscatter. It is sent with the null reverse-path `MAIL FROM:<>` (RFC 5321 §4.5.5), so a notice that
 * fails in turn produces no further notice.
 */
import type { SenderIdentity, ComposeResult } from './compose.js';
import { messageIdFor, sign } from './compose.js';
import { encodeUnstructured, formatDateTime } from './mime.js';

/** What failed. */
export interface FailedDelivery {
  /** The notice's own id (a new submission id). */
  id: string;
  now: number;
  bounceTo: string;
  recipient: string;
  /** When the original was queued. */
  arrivedAt: number;
  /** The MX host of the last attempt, when one answered. */
  remoteMta?: string;
  /** The last reply or error (one line). */
  reply: string;
  /** True when the message was given up after the retry lifetime (RFC 3463 4.4.7 becomes 5.4.7). */
  expired: boolean;
  /** The original message (its header section is attached). */
  original: Uint8Array;
}

/** The RFC 3463 status code in a reply (`550 5.1.1 …` → `5.1.1`), else a generic permanent one. */
export function statusCode(reply: string, expired: boolean): string {
  if (expired) return '5.4.7';
  const match = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(reply);
  if (match) return `5.${match[2]}.${match[3]}`;
  return '5.0.0';
}

/** Printable US-ASCII, one line, at most `max` characters: text from a remote server, as a DSN field value. */
export function printableLine(text: string, max = 900): string {
  return text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, max);
}

/** The header section of a message (up to the first empty line), at most 64 KiB. */
function headerSection(raw: Uint8Array): string {
  const text = Buffer.from(raw.subarray(0, 65_536)).toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end + 2) : text;
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  return head.replace(/[^\x09\x0d\x0a\x20-\x7e]/g, '?');
}

/** The header field value of the original's Subject and Message-ID, for the human-readable part. */
function originalField(raw: Uint8Array, name: string): string | undefined {
  const head = headerSection(raw);
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return match ? match[1]?.replace(/\r\n[ \t]/g, ' ') : undefined;
}

/** Composes and signs the failure notice. */
export function composeFailureNotice(failure: FailedDelivery, sender: SenderIdentity): ComposeResult {
  const messageId = messageIdFor(failure.id, sender.hostname);
  const boundary = `=_mailtrust_${failure.id}`;
  const status = statusCode(failure.reply, failure.expired);
  const reply = printableLine(failure.reply);
  const originalId = originalField(failure.original, 'Message-ID') ?? '(none)';
  const human = [
    `The relay at ${sender.hostname} could not deliver a message to ${failure.recipient}.`,
    '',
    failure.expired
      ? 'It was retried until the retry lifetime ended; the last answer was:'
      : 'The receiving side refused it permanently:',
    `  ${reply}`,
    '',
    `Message-ID: ${printableLine(originalId, 200)}`,
    'Its header is attached. Other recipients of the same submission are delivered on their own.',
  ];
  const perMessage = [`Reporting-MTA: dns; ${sender.hostname}`, `Arrival-Date: ${formatDateTime(failure.arrivedAt)}`];
  const perRecipient = [
    `Final-Recipient: rfc822; ${failure.recipient}`,
    'Action: failed',
    `Status: ${status}`,
    ...(failure.remoteMta === undefined ? [] : [`Remote-MTA: dns; ${failure.remoteMta}`]),
    `Diagnostic-Code: smtp; ${reply}`,
    `Last-Attempt-Date: ${formatDateTime(failure.now)}`,
  ];
  const lines = [
    `From: "Mail Delivery System" <${sender.from}>`,
    `To: ${failure.bounceTo}`,
    `Subject: ${encodeUnstructured(`Undelivered form mail to ${failure.recipient}`)}`,
    `Date: ${formatDateTime(failure.now)}`,
    `Message-ID: ${messageId}`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n boundary="${boundary}"`,
    '',
    'This is a delivery status notification (RFC 3464).',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    ...human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    ...perMessage,
    '',
    ...perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerSection(failure.original).replace(/\r\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ];
  return sign(lines.join('\r\n'), failure.now, sender, messageId);
}
