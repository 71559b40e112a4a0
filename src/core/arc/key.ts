/**
 * Keys for ARC signatures: looked up at `s._domainkey.d` and read with DKIM key-record semantics
 * (RFC 8617 §4.1.2, §4.1.3 refer to RFC 6376 §3.6; RSA size per RFC 8301 §3.2).
 */
import type { KeyObject } from 'node:crypto';
import type { CheckContext } from '../context.js';
import type { DkimKeyCache } from '../dkim/index.js';
import { lookup } from '../dns/lookup.js';
import type { DnsAnswer } from '../dns/types.js';
import { andThen, type MaybeAsync } from '../maybe-async.js';
import type { ArcAlgorithm, ArcErrorCode } from './result.js';

/** RFC 8301 §3.2: verifiers MUST NOT accept RSA keys under 1024 bits. */
export const minRsaBits = 1024;
/** Key records looked at per lookup (a hostile answer may hold many). */
const maxKeyRecords = 10;

/** A usable key, or why there is none; `temporary` marks DNS trouble (temperror). */
export type ArcKey =
  { ok: true; key: KeyObject } | { ok: false; temporary: boolean; code: ArcErrorCode; message: string };

/** DNS lookups of one validation, shared by every signature naming the same key. */
export class ArcKeyLookups {
  private readonly answers = new Map<string, MaybeAsync<DnsAnswer<string>>>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly cache: DkimKeyCache,
  ) {}

  /** Starts (or joins) the lookup of `selector._domainkey.domain`. */
  start(selector: string, domain: string): MaybeAsync<DnsAnswer<string>> {
    const name = `${selector}._domainkey.${domain}`;
    let answer = this.answers.get(name);
    if (!answer) {
      answer = lookup(this.ctx.resolver, 'txt', name);
      // A resolver breaking its contract (rejecting) must not leave an unhandled rejection behind.
      if (answer instanceof Promise) answer = answer.catch((): DnsAnswer<string> => ({ ok: false, kind: 'servfail' }));
      this.answers.set(name, answer);
    }
    return answer;
  }

  /**
   * The key for a signature made with `algorithm`, checked as RFC 6376 §6.1.2 checks a DKIM key; synchronous when
   * the answer is known.
   */
  key(selector: string, domain: string, algorithm: ArcAlgorithm): MaybeAsync<ArcKey> {
    return andThen(this.start(selector, domain), (answer) => this.fromAnswer(selector, domain, algorithm, answer));
  }

  private fromAnswer(selector: string, domain: string, algorithm: ArcAlgorithm, answer: DnsAnswer<string>): ArcKey {
    const name = `${selector}._domainkey.${domain}`;
    if (!answer.ok) {
      switch (answer.kind) {
        case 'nxdomain':
        case 'nodata':
          return failure(false, 'arc.key-missing', `no key record at ${name} (${answer.kind})`);
        case 'timeout':
        case 'servfail':
        case 'refused':
          return failure(true, `dns.${answer.kind}`, `DNS lookup of ${name} failed (${answer.kind})`);
        default: {
          const never: never = answer.kind;
          return failure(true, 'dns.servfail', `DNS lookup of ${name} failed (${String(never)})`);
        }
      }
    }
    let firstError: string | undefined;
    for (const txt of answer.records.slice(0, maxKeyRecords)) {
      const entry = this.cache.get(txt);
      if (!entry.record.ok) {
        firstError ??= entry.record.error.message;
        continue;
      }
      const record = entry.record.value;
      if (record.publicKey.length === 0)
        return failure(false, 'arc.key-revoked', `the key at ${name} is revoked (empty p=)`);
      const wanted = algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa';
      if (record.type !== wanted)
        return failure(false, 'arc.key-type', `a=${algorithm} needs a ${wanted} key, ${name} has k=${record.type}`);
      if (record.hashAlgorithms && !record.hashAlgorithms.includes('sha256'))
        return failure(false, 'arc.key-type', `the key at ${name} does not allow sha256`);
      if (!record.serviceTypes.includes('*') && !record.serviceTypes.includes('email'))
        return failure(
          false,
          'arc.key-type',
          `the key at ${name} is not for email (s=${record.serviceTypes.join(':')})`,
        );
      const imported = entry.imported;
      if (!imported || !imported.ok)
        return failure(false, 'arc.key-syntax', `key record at ${name}: ${imported?.message ?? 'no key'}`);
      if (record.type === 'rsa' && imported.bits < minRsaBits)
        return failure(
          false,
          'arc.key-too-short',
          `the RSA key at ${name} has ${imported.bits} bits; at least ${minRsaBits} are required (RFC 8301 §3.2)`,
        );
      return { ok: true, key: imported.key };
    }
    if (firstError === undefined) return failure(false, 'arc.key-missing', `no key record at ${name}`);
    return failure(false, 'arc.key-syntax', `key record at ${name}: ${firstError}`);
  }
}

function failure(temporary: boolean, code: ArcErrorCode, message: string): ArcKey {
  return { ok: false, temporary, code, message };
}
