/**
 * DKIM verification results (RFC 6376 §6.1, RFC 8601 §2.7.1 result tokens), one per signature (docs/cli.md).
 */

/** RFC 8601 §2.7.1 DKIM result values (`none` is the caller's: an empty result list). */
export type DkimResultValue = 'pass' | 'fail' | 'neutral' | 'temperror' | 'permerror' | 'policy';

/**
 * Error codes, each telling the sender what broke:
 * - `dkim.body-hash` — the body was changed after signing (bh= does not match, or l= is longer than the body).
 * - `dkim.signature` — the signature does not match: a signed header field was changed (or the key is wrong).
 * - `dkim.syntax` — the DKIM-Signature field is malformed (tag-list, required tags, base64, i= outside d=, …).
 * - `dkim.from-not-signed` — h= does not include From (RFC 6376 §5.4).
 * - `dkim.expired` — x= is in the past (RFC 6376 §3.5).
 * - `dkim.rsa-sha1` — rsa-sha1 is not acceptable (RFC 8301 §3.1).
 * - `dkim.key-too-short` — RSA key under 1024 bits (RFC 8301 §3.2).
 * - `dkim.key-missing` — no key record at selector._domainkey.domain (NXDOMAIN or no TXT).
 * - `dkim.key-revoked` — the key record has an empty p= (RFC 6376 §3.6.1).
 * - `dkim.key-syntax` — the key record is malformed, or p= is not a valid public key.
 * - `dkim.key-type` — the key does not fit the signature: k= differs from a=, h= excludes the hash, s= excludes
 *   email, or t=s forbids the i= subdomain (RFC 6376 §3.6.1).
 * - `dkim.too-many-signatures` — more signatures than the limit; the rest were not verified.
 * - `dns.timeout`, `dns.servfail`, `dns.refused` — the key lookup failed for now (temperror).
 */
export type DkimErrorCode =
  | 'dkim.body-hash'
  | 'dkim.signature'
  | 'dkim.syntax'
  | 'dkim.from-not-signed'
  | 'dkim.expired'
  | 'dkim.rsa-sha1'
  | 'dkim.key-too-short'
  | 'dkim.key-missing'
  | 'dkim.key-revoked'
  | 'dkim.key-syntax'
  | 'dkim.key-type'
  | 'dkim.too-many-signatures'
  | 'dns.timeout'
  | 'dns.servfail'
  | 'dns.refused';

/** The result of one DKIM-Signature (docs/cli.md `dkim` element). */
export interface DkimResult {
  result: DkimResultValue;
  /** d= (lower case; as read when the field does not parse, possibly empty). */
  domain: string;
  /** s= */
  selector: string;
  /** a= */
  algorithm: string;
  /** i=, when the signature parsed. */
  identity?: string;
  /** First characters of b= (RFC 6008 `header.b`), to tell signatures apart. */
  headerB?: string;
  /** The key record says t=y: the domain is testing DKIM (RFC 6376 §3.6.1). */
  testing?: boolean;
  /** DMARC alignment, filled in by DMARC (RFC 7489 §3.1.1); absent here. */
  aligned?: boolean;
  error?: { code: DkimErrorCode; message: string };
}
