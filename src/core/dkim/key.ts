/**
 * DKIM public key records, RFC 6376 §3.6.1 (k=ed25519 per RFC 8463 §4), and the parsed-key cache.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ParseResult } from '../parse-result.js';
import { decodeBase64 } from './signature.js';
import { parseTagList, stripFws, trimFws } from './tag-list.js';

/** Key types, RFC 6376 §3.6.1 `k=` and RFC 8463 §4. */
export type DkimKeyType = 'rsa' | 'ed25519';

/** A DKIM key record, RFC 6376 §3.6.1. */
export interface DkimKey {
  /** k= (default rsa). */
  type: DkimKeyType;
  /** p=, decoded; empty when the key is revoked (§3.6.1). */
  publicKey: Uint8Array;
  /** h=: acceptable hash algorithms, lower case; undefined means any. */
  hashAlgorithms?: string[];
  /** s=: service types (default `*`). */
  serviceTypes: string[];
  /** t=y: the domain is testing DKIM (§3.6.1). */
  testing: boolean;
  /** t=s: i= must use d= exactly, no subdomain (§3.6.1). */
  strictIdentity: boolean;
  /** n=, notes for humans. */
  notes?: string;
}

/** Longest key record accepted (an 8192-bit RSA key needs about 1.4 KB). */
export const maxKeyRecordLength = 16 * 1024;

function err(message: string, code = 'dkim.key-syntax'): ParseResult<never> {
  return { ok: false, error: { code, message } };
}

/**
 * Parses a key record (the TXT strings already joined), RFC 6376 §3.6.1. `v=`, when present, must be the
 * first tag and `DKIM1`; unknown tags are ignored; `p=` is required (empty means revoked, which parses).
 */
export function parseDkimKey(txt: string): ParseResult<DkimKey> {
  if (txt.length > maxKeyRecordLength)
    return err(`key record is ${txt.length} characters, over the limit of ${maxKeyRecordLength}`);
  const parsed = parseTagList(txt);
  if (!parsed.ok) return err(parsed.error.message);
  const tags = parsed.value;
  const v = tags.get('v');
  if (v !== undefined) {
    if (v.value !== 'DKIM1') return err(`v=${v.value} is not DKIM1`);
    const first = tags.keys().next().value;
    if (first !== 'v') return err('v= must be the first tag of the key record');
  }
  const kText = (tags.get('k')?.value ?? 'rsa').toLowerCase();
  if (kText !== 'rsa' && kText !== 'ed25519') return err(`unknown key type k=${kText}`, 'dkim.key-type');
  const p = tags.get('p');
  if (p === undefined) return err('the key record has no p= tag');
  const pText = stripFws(p.value);
  const publicKey = pText === '' ? new Uint8Array(0) : decodeBase64(pText);
  if (!publicKey) return err('p= is not base64');
  const list = (name: string): string[] | undefined =>
    tags
      .get(name)
      ?.value.split(':')
      .map((item) => trimFws(item).toLowerCase())
      .filter((item) => item !== '');
  const flags = list('t') ?? [];
  const key: DkimKey = {
    type: kText,
    publicKey,
    serviceTypes: list('s') ?? ['*'],
    testing: flags.includes('y'),
    strictIdentity: flags.includes('s'),
  };
  const h = list('h');
  if (h !== undefined) key.hashAlgorithms = h;
  const n = tags.get('n');
  if (n !== undefined) key.notes = n.value;
  return { ok: true, value: key };
}

/** A public key ready for crypto, with its size in bits for RSA (RFC 8301 §3.2). */
export type ImportedKey = { ok: true; key: KeyObject; bits: number } | { ok: false; message: string };

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): the 32 raw key bytes follow.
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** Builds a KeyObject from p= bytes: SPKI or PKCS#1 RSAPublicKey for RSA, 32 raw bytes for Ed25519 (RFC 8463 §4). */
export function importPublicKey(type: DkimKeyType, bytes: Uint8Array): ImportedKey {
  try {
    switch (type) {
      case 'ed25519': {
        if (bytes.length !== 32) return { ok: false, message: `an ed25519 key is 32 bytes, p= holds ${bytes.length}` };
        const key = createPublicKey({
          key: Buffer.concat([ed25519SpkiPrefix, bytes]),
          format: 'der',
          type: 'spki',
        });
        return { ok: true, key, bits: 256 };
      }
      case 'rsa': {
        const der = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
        let key: KeyObject;
        try {
          key = createPublicKey({ key: der, format: 'der', type: 'spki' });
        } catch {
          key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
        }
        if (key.asymmetricKeyType !== 'rsa')
          return { ok: false, message: `p= holds a ${key.asymmetricKeyType ?? 'unknown'} key, not RSA` };
        return { ok: true, key, bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
      }
      default: {
        const never: never = type;
        return { ok: false, message: `unknown key type ${String(never)}` };
      }
    }
  } catch {
    return { ok: false, message: `p= is not a valid ${type} public key` };
  }
}

/** Parsed record and imported key, cached by record text. */
export interface CachedKey {
  record: ParseResult<DkimKey>;
  imported?: ImportedKey;
}

/**
 * Parsed keys by record text: crypto.createPublicKey runs once per distinct record, not once per message.
 * Bounded: the oldest entries go first when it is full.
 */
export class DkimKeyCache {
  private readonly entries = new Map<string, CachedKey>();
  constructor(private readonly capacity = 1024) {}

  get(txt: string): CachedKey {
    const hit = this.entries.get(txt);
    if (hit) return hit;
    const record = parseDkimKey(txt);
    const entry: CachedKey = { record };
    if (record.ok && record.value.publicKey.length > 0)
      entry.imported = importPublicKey(record.value.type, record.value.publicKey);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(txt, entry);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide key cache used when the caller passes none. */
export const sharedKeyCache = new DkimKeyCache();
