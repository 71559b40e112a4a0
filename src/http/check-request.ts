/**
 * One message to check over HTTP: the raw bytes and the envelope, given in the request or — as `mailtrust check`
 * does for a saved message — read back from its newest Received header and Return-Path.
 */
import { isIP } from 'node:net';
import {
  evaluate,
  inferEnvelope,
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
  const ip = given.ip ?? inferred.ip;
  if (ip === undefined) {
    throw new HttpError(
      400,
      'ip-missing',
      'no client IP: give ?ip=, or send a message whose Received header names the sending server',
    );
  }
  if (isIP(ip) === 0)
    throw new HttpError(400, 'ip-invalid', `ip: ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
  const helo = given.helo ?? (given.ip === undefined ? inferred.helo : undefined);
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
