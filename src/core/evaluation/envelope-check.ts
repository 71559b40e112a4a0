/**
 * The envelope an evaluation receives, checked once where `evaluate()` and `createEvaluator()` take it: the client
 * address must be an IPv4 or IPv6 address (RFC 5321 §4.1.3 address literals; IPv4-mapped IPv6 as RFC 4291
 * §2.5.5.2; no zone index), and the other fields strings where given.
 *
 * `checkEnvelope()` returns an error result, for a service to answer with (an SMTP reply, an HTTP 400);
 * `evaluate()` and `createEvaluator()` refuse what it refuses by throwing an {@link InvalidEnvelopeError} that
 * carries the same code, since an evaluation without a valid client address has no meaning.
 */
import { parseIpAddress, type IpAddress } from '../ip/address.js';
import type { Envelope } from './types.js';

export type EnvelopeErrorCode =
  | 'envelope.missing-ip'
  | 'envelope.invalid-ip'
  | 'envelope.invalid-helo'
  | 'envelope.invalid-mail-from'
  | 'envelope.invalid-rcpt-to';

export interface EnvelopeError {
  code: EnvelopeErrorCode;
  message: string;
}

/** A checked envelope and its client address, parsed once. */
export interface CheckedEnvelope {
  envelope: Envelope;
  ip: IpAddress;
}

export type EnvelopeCheck = { ok: true; value: CheckedEnvelope } | { ok: false; error: EnvelopeError };

/** What `evaluate()` and `createEvaluator()` throw for an envelope `checkEnvelope()` refuses. */
export class InvalidEnvelopeError extends TypeError {
  readonly code: EnvelopeErrorCode;
  constructor(error: EnvelopeError) {
    super(error.message);
    this.name = 'InvalidEnvelopeError';
    this.code = error.code;
  }
}

const refuse = (code: EnvelopeErrorCode, message: string): EnvelopeCheck => ({ ok: false, error: { code, message } });

/** Checks an envelope (from any source: typed or not) before it is evaluated. */
export function checkEnvelope(envelope: unknown): EnvelopeCheck {
  if (typeof envelope !== 'object' || envelope === null) return refuse('envelope.missing-ip', 'no envelope given');
  const { ip, helo, mailFrom, rcptTo } = envelope as Record<string, unknown>;
  if (ip === undefined || ip === '') return refuse('envelope.missing-ip', 'the envelope has no client IP address');
  if (typeof ip !== 'string') return refuse('envelope.invalid-ip', 'the client IP address is not a string');
  const parsed = parseIpAddress(ip);
  if (!parsed) return refuse('envelope.invalid-ip', `not an IPv4 or IPv6 address: ${JSON.stringify(ip.slice(0, 64))}`);
  if (helo !== undefined && typeof helo !== 'string') return refuse('envelope.invalid-helo', 'HELO is not a string');
  if (mailFrom !== undefined && typeof mailFrom !== 'string')
    return refuse('envelope.invalid-mail-from', 'MAIL FROM is not a string');
  if (rcptTo !== undefined && (!Array.isArray(rcptTo) || rcptTo.some((r) => typeof r !== 'string')))
    return refuse('envelope.invalid-rcpt-to', 'RCPT TO is not a list of strings');
  return { ok: true, value: { envelope: envelope as Envelope, ip: parsed } };
}
