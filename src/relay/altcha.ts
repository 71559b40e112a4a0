/**
 * The relay's CAPTCHA: self-hosted ALTCHA proof of work (altcha-lib). No third party is called; the visitor's
 * browser finds a number whose hash starts with a given prefix, which costs a person a moment and a spammer's
 * thousands of posts a great deal.
 *
 * - A challenge is HMAC-signed and carries its form id and issue time, and expires after 10 minutes.
 * - Deterministic mode: the server knows the answer's key and signs it, so verifying costs one HMAC.
 * - A solution is accepted once: its challenge signature is recorded with `store.useOnce` (shared by every instance
 *   of one database), so a replay is refused.
 * - The HMAC secrets are derived from the relay's DKIM private key, so every instance with the same key agrees
 *   without another secret to configure, and a new key retires the challenges signed with the old one.
 * - The issue time doubles as the start of the form's minimum fill time: it is signed, so it cannot be backdated.
 */
import { createHash, randomInt } from 'node:crypto';
import { createChallenge, verifySolution, type Challenge, type Payload } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Store } from '../store/types.js';

export const CHALLENGE_LIFETIME_MS = 10 * 60_000;
/** Challenges are solved by trying counters from 0: the answer lies below this (about 0.1–0.5 s in a browser). */
export const MAX_COUNTER = 100_000;
const ALGORITHM = 'SHA-256';

export type AltchaCheck =
  | { ok: true; issuedAt: number }
  | {
      ok: false;
      code: 'captcha-missing' | 'captcha-invalid' | 'captcha-expired' | 'captcha-replayed';
      message: string;
    };

export class AltchaGate {
  private readonly signatureSecret: string;
  private readonly keySignatureSecret: string;

  /** `secretSource`: the bytes the HMAC secrets are derived from (the DKIM private key's PEM). */
  constructor(secretSource: string | Uint8Array) {
    const derive = (label: string) => createHash('sha256').update(label).update(secretSource).digest('hex');
    this.signatureSecret = derive('mailtrust altcha challenge\0');
    this.keySignatureSecret = derive('mailtrust altcha key\0');
  }

  /** A fresh challenge for one form (`GET /f/{formId}/challenge`). */
  challenge(formId: string, now: number, maxCounter = MAX_COUNTER): Promise<Challenge> {
    return createChallenge({
      algorithm: ALGORITHM,
      cost: 1,
      counter: randomInt(0, maxCounter),
      deriveKey,
      expiresAt: Math.floor((now + CHALLENGE_LIFETIME_MS) / 1000),
      data: { form: formId, issuedAt: now },
      hmacSignatureSecret: this.signatureSecret,
      hmacKeySignatureSecret: this.keySignatureSecret,
    });
  }

  /**
   * Checks a solution posted as the `altcha` field (base64 of the widget's JSON payload, or the JSON itself) for
   * `formId`, and records it so it cannot be used again.
   */
  async verify(field: string | undefined, formId: string, store: Store, now: number): Promise<AltchaCheck> {
    if (field === undefined || field === '')
      return { ok: false, code: 'captcha-missing', message: 'the CAPTCHA was not solved (no altcha field)' };
    const invalid = { ok: false, code: 'captcha-invalid', message: 'the CAPTCHA solution is not valid' } as const;
    const payload = decodePayload(field);
    if (payload === undefined) return invalid;
    const { challenge, solution } = payload;
    const data = challenge.parameters.data;
    let result;
    try {
      result = await verifySolution({
        challenge,
        solution,
        deriveKey,
        hmacSignatureSecret: this.signatureSecret,
        hmacKeySignatureSecret: this.keySignatureSecret,
      });
    } catch {
      return invalid;
    }
    if (result.expired) return { ok: false, code: 'captcha-expired', message: 'the CAPTCHA expired; solve it again' };
    if (!result.verified || data?.form !== formId || typeof data.issuedAt !== 'number') return invalid;
    const expiresAt = (challenge.parameters.expiresAt ?? 0) * 1000;
    const first = await store.useOnce(`altcha:${challenge.signature ?? ''}`, expiresAt, now);
    if (!first) return { ok: false, code: 'captcha-replayed', message: 'this CAPTCHA solution was used already' };
    return { ok: true, issuedAt: data.issuedAt };
  }
}

/** The widget's payload: base64 JSON (what the form posts) or JSON; undefined when it is neither, or misshapen. */
export function decodePayload(field: string): Payload | undefined {
  if (field.length > 8_192) return undefined;
  const text = field.trimStart().startsWith('{') ? field : Buffer.from(field, 'base64').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { challenge, solution } = value as Partial<Payload>;
  if (typeof challenge !== 'object' || challenge === null || typeof challenge.parameters !== 'object') return undefined;
  if (challenge.parameters === null || typeof solution !== 'object' || solution === null) return undefined;
  return { challenge, solution };
}
