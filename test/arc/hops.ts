/** Test helpers: RSA keys published in a loopback zone, and forwarding hops that seal with `sealArc`. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import assert from 'node:assert/strict';
import { prependArcSet, sealArc, type ArcSealOptions } from '../../src/core/arc/index.js';
import type { ArcResult } from '../../src/core/arc/index.js';

/** A sealer's key and the DKIM key record that publishes it (RFC 6376 §3.6.1). */
export interface Sealer {
  domain: string;
  selector: string;
  privateKey: KeyObject;
  /** `selector._domainkey.domain` */
  keyName: string;
  /** `v=DKIM1; k=rsa; p=…` */
  record: string;
}

export function makeSealer(domain: string, selector = 'arc', bits = 2048): Sealer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const p = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return {
    domain,
    selector,
    privateKey,
    keyName: `${selector}._domainkey.${domain}`,
    record: `v=DKIM1; k=rsa; p=${p}`,
  };
}

export const baseMessage =
  'From: Alice <alice@origin.example>\r\n' +
  'To: list@lists.example.org\r\n' +
  'Subject: Hello\r\n' +
  'Date: Thu, 14 Jan 2015 15:00:01 -0800\r\n' +
  'Message-ID: <1@origin.example>\r\n' +
  '\r\n' +
  'Hello world.\r\n';

/** One forwarding hop: seals `message` and returns it with the new set on top (asserting success). */
export function seal(
  message: Uint8Array | string,
  sealer: Sealer,
  extra: Partial<ArcSealOptions> & { chainValidation?: ArcResult | 'pass' | 'fail' | 'none' } = {},
): Uint8Array {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  const sealed = sealArc(bytes, {
    domain: sealer.domain,
    selector: sealer.selector,
    privateKey: sealer.privateKey,
    authservId: `mx.${sealer.domain}`,
    authResults: 'spf=pass smtp.mailfrom=alice@origin.example; dkim=pass header.d=origin.example',
    now: new Date('2026-01-01T00:00:00Z'),
    ...extra,
  });
  assert.ok(sealed.ok, sealed.ok ? '' : `${sealed.error.code}: ${sealed.error.message}`);
  return prependArcSet(bytes, sealed.value);
}

/** Replaces the first occurrence of `from` in a message's bytes (a hop's modification, or tampering). */
export function replace(message: Uint8Array, from: string, to: string): Uint8Array {
  const text = Buffer.from(message).toString('utf8');
  assert.ok(text.includes(from), `"${from}" is in the message`);
  return Buffer.from(text.replace(from, to), 'utf8');
}
