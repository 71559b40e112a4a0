/**
 * The signature operation of each algorithm over the signed data: rsa-sha256 (RFC 6376 §3.3.1, RSASSA-PKCS1-v1_5
 * with SHA-256) and ed25519-sha256 (RFC 8463 §3: PureEdDSA over the SHA-256 hash of the data).
 */
import { createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export type SigningAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

/** Checks a signature over `data`; false for any mismatch or a key that does not fit. */
export function verifySignedData(
  algorithm: SigningAlgorithm,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return algorithm === 'ed25519-sha256'
      ? cryptoVerify(null, createHash('sha256').update(data).digest(), publicKey, signature)
      : cryptoVerify('sha256', data, publicKey, signature);
  } catch {
    return false;
  }
}

/** Signs `data`. Throws only when the key does not fit the algorithm (callers check that first). */
export function signData(algorithm: SigningAlgorithm, privateKey: KeyObject, data: Uint8Array): Buffer {
  return algorithm === 'ed25519-sha256'
    ? cryptoSign(null, createHash('sha256').update(data).digest(), privateKey)
    : cryptoSign('sha256', data, privateKey);
}
