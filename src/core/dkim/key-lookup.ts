/**
 * Fetching and checking a DKIM public key, RFC 6376 §6.1.2 (also what ARC uses for its keys, RFC 8617 §5.1.1).
 */
import type { KeyObject } from 'node:crypto';
import type { CheckContext } from '../context.js';
import type { DnsAnswer } from '../dns/types.js';
import { sharedKeyCache, type DkimKey, type DkimKeyCache } from './key.js';
import type { DkimErrorCode } from './result.js';
import type { DkimAlgorithm } from './signature.js';

/** RFC 8301 §3.2: verifiers MUST NOT accept RSA keys under 1024 bits. */
export const minRsaBits = 1024;
/** Key records looked at per lookup (a hostile answer may hold many). */
export const maxKeyRecords = 10;

/** A usable key, or why there is none (with the result it leads to). */
export type KeyLookup =
  | { ok: true; name: string; key: DkimKey; publicKey: KeyObject; bits: number }
  | {
      ok: false;
      name: string;
      result: 'permerror' | 'temperror' | 'policy';
      code: DkimErrorCode;
      message: string;
      /** The record parsed and says t=y. */
      testing?: boolean;
    };

/** The DNS name of a key, RFC 6376 §3.6.2.1. */
export function keyName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`;
}

/**
 * Interprets the TXT answer for a key (RFC 6376 §6.1.2): NXDOMAIN/NODATA → `dkim.key-missing`; timeout,
 * SERVFAIL, REFUSED → temperror; the first record that parses is used; empty p= → `dkim.key-revoked`;
 * a p= that is no key of its type → `dkim.key-syntax`; RSA under 1024 bits → policy `dkim.key-too-short`.
 */
export function keyFromAnswer(
  answer: DnsAnswer<string>,
  name: string,
  cache: DkimKeyCache = sharedKeyCache,
): KeyLookup {
  if (!answer.ok) {
    switch (answer.kind) {
      case 'nxdomain':
      case 'nodata':
        return keyFailure(name, 'permerror', 'dkim.key-missing', `no DKIM key record at ${name} (${answer.kind})`);
      case 'timeout':
      case 'servfail':
      case 'refused':
        return keyFailure(name, 'temperror', `dns.${answer.kind}`, `DNS lookup of ${name} failed (${answer.kind})`);
      default: {
        const never: never = answer.kind;
        return keyFailure(name, 'temperror', 'dns.servfail', `DNS lookup of ${name} failed (${String(never)})`);
      }
    }
  }
  if (answer.records.length === 0)
    return keyFailure(name, 'permerror', 'dkim.key-missing', `no DKIM key record at ${name}`);
  let firstError: { code: string; message: string } | undefined;
  const records = answer.records;
  const count = Math.min(records.length, maxKeyRecords);
  for (let i = 0; i < count; i++) {
    const entry = cache.get(records[i]!);
    if (!entry.record.ok) {
      firstError ??= entry.record.error;
      continue;
    }
    const key = entry.record.value;
    const imported = entry.imported;
    // The usual case first, without building the failure helpers below.
    if (key.publicKey.length > 0 && imported?.ok === true && (key.type !== 'rsa' || imported.bits >= minRsaBits))
      return { ok: true, name, key, publicKey: imported.key, bits: imported.bits };
    const testing = key.testing ? { testing: true } : {};
    if (key.publicKey.length === 0)
      return {
        ...keyFailure(name, 'permerror', 'dkim.key-revoked', `the key at ${name} is revoked (empty p=)`),
        ...testing,
      };
    if (!imported || !imported.ok)
      return {
        ...keyFailure(name, 'permerror', 'dkim.key-syntax', `key record at ${name}: ${imported?.message ?? 'no key'}`),
        ...testing,
      };
    if (key.type === 'rsa' && imported.bits < minRsaBits)
      return {
        ...keyFailure(
          name,
          'policy',
          'dkim.key-too-short',
          `the RSA key at ${name} has ${imported.bits} bits; at least ${minRsaBits} are required (RFC 8301)`,
        ),
        ...testing,
      };
    return { ok: true, name, key, publicKey: imported.key, bits: imported.bits };
  }
  const code: DkimErrorCode = firstError?.code === 'dkim.key-type' ? 'dkim.key-type' : 'dkim.key-syntax';
  return keyFailure(name, 'permerror', code, `key record at ${name}: ${firstError?.message ?? 'no usable record'}`);
}

function keyFailure(
  name: string,
  result: 'permerror' | 'temperror' | 'policy',
  code: DkimErrorCode,
  message: string,
): KeyLookup {
  return { ok: false, name, result, code, message };
}

/** Looks a key up and interprets the answer. Never rejects. */
export async function lookupDkimKey(
  ctx: CheckContext,
  selector: string,
  domain: string,
  cache: DkimKeyCache = sharedKeyCache,
): Promise<KeyLookup> {
  const name = keyName(selector, domain);
  const answer = await ctx.resolver.txt(name).catch((): DnsAnswer<string> => ({ ok: false, kind: 'servfail' }));
  return keyFromAnswer(answer, name, cache);
}

/**
 * Whether a key may verify a signature (RFC 6376 §3.6.1): k= must match a=, h= (when given) must allow sha256,
 * s= must allow email, and t=s needs i= in d= itself. Returns the problem, or undefined.
 */
export function keyMismatch(
  key: DkimKey,
  name: string,
  signature: { algorithm: DkimAlgorithm; domain: string; identityDomain?: string },
): string | undefined {
  const wantedType = signature.algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa';
  if (key.type !== wantedType) return `a=${signature.algorithm} needs an ${wantedType} key, ${name} has k=${key.type}`;
  const hash = signature.algorithm === 'rsa-sha1' ? 'sha1' : 'sha256';
  if (key.hashAlgorithms && !key.hashAlgorithms.includes(hash))
    return `the key at ${name} does not allow ${hash} (h=${key.hashAlgorithms.join(':')})`;
  if (!key.serviceTypes.includes('*') && !key.serviceTypes.includes('email'))
    return `the key at ${name} is not for email (s=${key.serviceTypes.join(':')})`;
  if (key.strictIdentity && signature.identityDomain !== undefined && signature.identityDomain !== signature.domain)
    return `the key at ${name} has t=s, so i= must be in ${signature.domain} itself`;
  return undefined;
}
