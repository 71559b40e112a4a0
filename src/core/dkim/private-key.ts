/**
 * The signing key of DKIM (RFC 6376 §3.3) and ARC (RFC 8617 §5.1): a private key given as PEM text (PKCS#8 or
 * PKCS#1) or as a KeyObject, read once for a signer.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';

export type PrivateKeyResult = { ok: true; key: KeyObject } | { ok: false; message: string };

/** The private key of `privateKey`, or why it is not one (callers report it under their own error code). */
export function readPrivateKey(privateKey: KeyObject | string): PrivateKeyResult {
  let key: KeyObject;
  try {
    key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  } catch {
    return { ok: false, message: 'the private key is not a PEM private key' };
  }
  if (key.type !== 'private') return { ok: false, message: 'the key is not a private key' };
  return { ok: true, key };
}
