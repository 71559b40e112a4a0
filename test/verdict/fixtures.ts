/**
 * Hand-built check results for pure verdict tests: one well-configured message from domain.com (the guide's example
 * domain) sent by mail.domain.com at 1.2.3.4, and helpers to change one thing at a time.
 */
import type { VerdictInput } from '../../src/core/verdict/index.js';

type ArcInput = NonNullable<VerdictInput['arc']>;
type ArcResults = ArcInput['sets'][number]['authResults']['results'];

/** DMARC pass as an ARC-Authentication-Results entry, with no properties. */
export const DMARC_PASS: ArcResults = [{ method: 'dmarc', result: 'pass', properties: [] }];

/**
 * A valid ARC chain of one set (RFC 8617 §5.2: cv=none at i=1, seal verified), sealed by `sealDomain`, whose
 * ARC-Authentication-Results record what that hop saw.
 */
export function sealedArc(sealDomain: string, results: ArcResults = DMARC_PASS, authservId = sealDomain): ArcInput {
  return { result: 'pass', instances: 1, sets: [{ instance: 1, sealDomain, authResults: { authservId, results } }] };
}

/** The guide's good setup: PTR mail.domain.com ↔ 1.2.3.4, HELO mail.domain.com, SPF/DKIM/DMARC pass. */
export function goodMessage(): VerdictInput {
  return {
    envelope: { ip: '1.2.3.4', helo: 'mail.domain.com', mailFrom: 'user@domain.com' },
    fromDomain: 'domain.com',
    iprev: { result: 'pass', names: ['mail.domain.com'], ptrNames: ['mail.domain.com'], findings: [] },
    helo: { result: 'pass', name: 'mail.domain.com', findings: [], addresses: ['1.2.3.4'] },
    spf: { result: 'pass', domain: 'domain.com', identity: 'mailfrom', mechanism: 'ip4:1.2.3.4' },
    dkim: [{ result: 'pass', domain: 'domain.com', selector: 's1', algorithm: 'rsa-sha256' }],
    dmarc: { result: 'pass', domain: 'domain.com', policy: 'reject' },
    arc: { result: 'none', instances: 0, sets: [] },
    headers: { result: 'pass', findings: [], details: [] },
    senderMxHosts: ['mail.domain.com'],
  };
}

/** `goodMessage()` with some fields replaced. */
export function message(changes: Partial<VerdictInput>): VerdictInput {
  return { ...goodMessage(), ...changes };
}

/** Freezes an object graph, so a test fails if the verdict mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
