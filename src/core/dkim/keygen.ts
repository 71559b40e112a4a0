/**
 * DKIM key pair generation and the DNS TXT record to publish (RFC 6376 §3.6.1, §3.6.2.2; RFC 8463 §4;
 * RFC 8301 §3.2 key sizes).
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import type { ParseResult } from '../parse-result.js';
import { normalizeDomain } from './signature.js';

export interface DkimKeygenOptions {
  domain: string;
  selector: string;
  /** Default rsa. */
  type?: 'rsa' | 'ed25519';
  /** RSA modulus size, default 2048 (RFC 8301 §3.2: at least 1024, 2048 recommended); at most 8192. */
  bits?: number;
}

export interface DkimKeyPair {
  /** `selector._domainkey.domain`, where the record goes. */
  name: string;
  /** The private key, PKCS#8 PEM. */
  privateKeyPem: string;
  /** The TXT record value (`v=DKIM1; k=…; p=…`). */
  record: string;
  /** The record split into character-strings of at most 255 characters (RFC 1035 §3.3.14). */
  txtStrings: string[];
  /** A zone-file line: `name. IN TXT ( "…" "…" )`. */
  zoneLine: string;
  type: 'rsa' | 'ed25519';
  bits: number;
}

function generate(type: 'rsa' | 'ed25519', bits: number): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve({ publicKey, privateKey });
    if (type === 'rsa') generateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 }, done);
    else generateKeyPair('ed25519', {}, done);
  });
}

/** Splits a TXT value into character-strings of at most `size` characters. */
export function splitTxt(value: string, size = 255): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += size) out.push(value.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** Generates a key pair and the record to publish. */
export async function generateDkimKey(options: DkimKeygenOptions): Promise<ParseResult<DkimKeyPair>> {
  const domain = normalizeDomain(options.domain);
  if (!domain)
    return { ok: false, error: { code: 'dkim.syntax', message: `"${options.domain}" is not a domain name` } };
  const selector = normalizeDomain(options.selector);
  if (!selector)
    return { ok: false, error: { code: 'dkim.syntax', message: `"${options.selector}" is not a valid selector` } };
  const type = options.type ?? 'rsa';
  const bits = type === 'ed25519' ? 256 : (options.bits ?? 2048);
  if (type === 'rsa' && (!Number.isInteger(bits) || bits < 1024 || bits > 8192))
    return {
      ok: false,
      error: {
        code: 'dkim.key-too-short',
        message: `RSA keys must have 1024 to 8192 bits (2048 recommended), not ${bits}`,
      },
    };
  const { publicKey, privateKey } = await generate(type, bits);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  // Ed25519 publishes the raw 32-byte key (RFC 8463 §4), the last 32 bytes of its SPKI.
  const p = (type === 'ed25519' ? spki.subarray(spki.length - 32) : spki).toString('base64');
  const record = `v=DKIM1; k=${type}; p=${p}`;
  const txtStrings = splitTxt(record);
  const name = `${selector}._domainkey.${domain}`;
  return {
    ok: true,
    value: {
      name,
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      record,
      txtStrings,
      zoneLine: `${name}. IN TXT ( ${txtStrings.map((s) => `"${s}"`).join(' ')} )`,
      type,
      bits,
    },
  };
}
