/**
 * One relayed message, composed and DKIM-signed once: the bytes stored in the outbox are the bytes every delivery
 * attempt sends (so the Message-ID and the signature are stable across retries).
 *
 * The header follows the web-form practice receivers trust (docs/relay.md):
 * - `From: "<visitor name> via <form>" <relay.from>` — the relay's own domain, so DMARC (RFC 7489 §3.1) aligns with
 *   the relay's DKIM `d=` and SPF domain; never the visitor's address (their domain may publish `p=reject`).
 * - `Reply-To:` the visitor's address (RFC 5322 §3.6.2), so answering reaches them.
 * - `To:`, `Subject:` from the form's template, `Date:`, `Message-ID: <id@relay.hostname>` (RFC 5322 §3.6).
 * - MIME (RFC 2045): one text/plain part in UTF-8, quoted-printable.
 *
 * Values reach this module already checked (`field-values.ts`); header text is still encoded here (RFC 2047) so that
 * non-ASCII names and subjects, or text that looks like an encoded-word, stay literal.
 */
import type { KeyObject } from 'node:crypto';
import { prependHeader, signDkim } from '../core/index.js';
import { encodeDisplayName, encodeQuotedPrintable, encodeUnstructured, formatDateTime } from './mime.js';

/** What the message says: already validated values. */
export interface MessageContent {
  /** The submission id; the Message-ID's left part. */
  id: string;
  createdAt: number;
  /** The sender's display name (`Jane Doe via contact`). */
  displayName: string;
  replyTo?: string;
  to: readonly string[];
  subject: string;
  /** The body text (any line breaks; written as CRLF). */
  text: string;
  /** Extra header fields the relay itself sets, e.g. `X-Form-Id` (names and values are the relay's, not visitors'). */
  extraFields?: readonly [string, string][];
}

/** The relay's identity, from `[relay]`. */
export interface SenderIdentity {
  /** `relay.from`: the From address. */
  from: string;
  /** `relay.hostname`: the Message-ID's right part. */
  hostname: string;
  dkim: { domain: string; selector: string; privateKey: KeyObject };
}

export type ComposeResult =
  { ok: true; raw: Uint8Array; messageId: string } | { ok: false; error: { code: string; message: string } };

/** The body's line breaks as CRLF (RFC 5322 §2.3), and a final line break. */
export function normalizeLineBreaks(text: string): string {
  const crlf = text.replace(/\r\n|\r|\n/g, '\r\n');
  return crlf.endsWith('\r\n') ? crlf : crlf + '\r\n';
}

/** The Message-ID of a submission (RFC 5322 §3.6.4), with its angle brackets. */
export function messageIdFor(id: string, hostname: string): string {
  return `<${id.toLowerCase()}@${hostname.toLowerCase()}>`;
}

/** Composes and signs one message. Fails only when the signer does (a key that cannot sign). */
export function composeMessage(content: MessageContent, sender: SenderIdentity): ComposeResult {
  const messageId = messageIdFor(content.id, sender.hostname);
  const lines: string[] = [
    `From: ${encodeDisplayName(content.displayName)} <${sender.from}>`,
    ...(content.replyTo === undefined ? [] : [`Reply-To: ${content.replyTo}`]),
    `To: ${content.to.join(',\r\n ')}`,
    `Subject: ${encodeUnstructured(content.subject)}`,
    `Date: ${formatDateTime(content.createdAt)}`,
    `Message-ID: ${messageId}`,
    ...(content.extraFields ?? []).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
  ];
  const body = encodeQuotedPrintable(normalizeLineBreaks(content.text));
  return sign(lines.join('\r\n') + '\r\n\r\n' + body, content.createdAt, sender, messageId);
}

/** Signs composed text (CRLF line breaks, ASCII) with the relay's key and returns the stored bytes. */
export function sign(text: string, createdAt: number, sender: SenderIdentity, messageId: string): ComposeResult {
  const unsigned = Buffer.from(text, 'latin1');
  const signature = signDkim(unsigned, {
    domain: sender.dkim.domain,
    selector: sender.dkim.selector,
    privateKey: sender.dkim.privateKey,
    now: new Date(createdAt),
  });
  if (!signature.ok) return { ok: false, error: signature.error };
  return { ok: true, raw: prependHeader(unsigned, signature.field), messageId };
}
