/**
 * One message to check over HTTP: the raw bytes and the envelope, given in the request or — as `mailtrust check`
 * does for a saved message — read back from its newest Received header and Return-Path.
 */
import {
  evaluate,
  inferEnvelope,
  parseIpAddress,
  parseMessage,
  type EvaluateOptions,
  type Envelope,
  type Evaluation,
} from '../core/index.js';
import { HttpError } from './errors.js';

/** Where each envelope value came from, as `mailtrust check --json` reports it (`option` = given by the caller). */
export type EnvelopeSource = 'option' | 'received' | 'return-path' | 'none';

export interface GivenEnvelope {
  ip?: string | undefined;
  helo?: string | undefined;
  mailFrom?: string | undefined;
  rcptTo?: string[] | undefined;
}

export interface CheckResult {
  evaluation: Evaluation;
  envelopeSource: Record<'ip' | 'helo' | 'mailFrom', EnvelopeSource>;
}

/** Evaluates `raw`; a message that does not parse or a missing/invalid client IP is an HttpError 400. */
export async function checkMessage(
  raw: Uint8Array,
  given: GivenEnvelope,
  options: EvaluateOptions,
): Promise<CheckResult> {
  const parsed = parseMessage(raw);
  if (!parsed.ok) throw new HttpError(400, 'not-a-message', `not an email message: ${parsed.error.message}`);
  const inferred = inferEnvelope(parsed.value);
  // Only the newest Received field (the one the receiving server wrote) may name the client: an older one is the
  // sender's own text. When it cannot be read, the caller must say who sent the message.
  const received = inferred.received.ok ? inferred.received : undefined;
  const ip = given.ip ?? received?.ip;
  if (ip === undefined) {
    throw new HttpError(
      400,
      'ip-missing',
      "no client IP: give ?ip=, or send a message whose newest Received field names the sending server's address",
    );
  }
  if (parseIpAddress(ip) === undefined)
    throw new HttpError(400, 'ip-invalid', `ip: ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  // The HELO of the newest Received field belongs to its client: used only when that client is the one judged.
  const helo = given.helo ?? (received !== undefined && received.ip === ip ? received.helo : undefined);
  const mailFrom = given.mailFrom ?? inferred.mailFrom;
  const envelopeSource: CheckResult['envelopeSource'] = {
    ip: given.ip !== undefined ? 'option' : 'received',
    helo: given.helo !== undefined ? 'option' : helo !== undefined ? 'received' : 'none',
    mailFrom: given.mailFrom !== undefined ? 'option' : mailFrom !== undefined ? 'return-path' : 'none',
  };
  const envelope: Envelope = {
    ip,
    ...(helo !== undefined ? { helo } : {}),
    ...(mailFrom !== undefined ? { mailFrom } : {}),
    ...(given.rcptTo !== undefined && given.rcptTo.length > 0 ? { rcptTo: given.rcptTo } : {}),
  };
  const body = parsed.value.headerOffset > 0 ? raw.subarray(parsed.value.headerOffset) : raw;
  const evaluation = await evaluate(body, envelope, options);
  return { evaluation, envelopeSource };
}
