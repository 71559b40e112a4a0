/**
 * ARC-Authentication-Results (RFC 8617 §4.1.1): `i=N;` then an Authentication-Results payload (RFC 8601 §2.2),
 * read with core/authres. The instance is read here first, so that an out-of-range i= is reported as a chain
 * problem (RFC 8617 §4.2.1) rather than as payload syntax.
 */
import { parseAuthenticationResults, type AuthenticationResults } from '../authres/index.js';
import type { ParseResult } from '../parse-result.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const INSTANCE_DIGITS = /^[0-9]{1,6}$/;
const FOLDS = /\r?\n(?=[ \t])/g;

/** A parsed ARC-Authentication-Results field value. */
export interface ArcAuthResultsField extends AuthenticationResults {
  /** i= */
  instance: number;
  /** The payload after `i=N;`, unfolded and trimmed, as written (for display and re-use). */
  payload: string;
}

/** Longest AAR value read; real ones are a few hundred bytes (mailtrust's cap against hostile input). */
export const maxAarLength = 64 * 1024;

const instancePrefix = /^[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*([0-9]{1,6})[ \t\r\n]*;/;

function err(message: string): ParseResult<never> {
  return { ok: false, error: { code: 'arc.syntax', message } };
}

/** Reads an instance number of at most 6 digits (range checks are the caller's). */
export function parseInstanceNumber(text: string): number | undefined {
  return INSTANCE_DIGITS.test(text) ? Number(text) : undefined;
}

/**
 * Parses an ARC-Authentication-Results value (RFC 8617 §4.1.1: `arc-info = instance [CFWS] ";" authres-payload`).
 * The `i=N;` prefix is required first; the payload must be a valid RFC 8601 payload.
 */
export function parseArcAuthResultsField(value: string): ParseResult<ArcAuthResultsField> {
  if (value.length > maxAarLength)
    return err(`ARC-Authentication-Results is ${value.length} characters, over the limit of ${maxAarLength}`);
  const prefix = instancePrefix.exec(value);
  if (!prefix) return err('ARC-Authentication-Results does not start with "i=<instance>;"');
  const instance = Number(prefix[1]);
  const payloadText = value.slice(prefix[0].length);
  const payload = parseAuthenticationResults(payloadText);
  if (!payload.ok) return err(`ARC-Authentication-Results i=${instance}: ${payload.error.message}`);
  const { authservId, version, results } = payload.value;
  const unfolded = payloadText.replace(FOLDS, '').trim();
  return {
    ok: true,
    value:
      version === undefined
        ? { authservId, results, instance, payload: unfolded }
        : { authservId, version, results, instance, payload: unfolded },
  };
}
