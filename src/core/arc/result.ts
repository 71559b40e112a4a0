/**
 * ARC chain validation results (RFC 8617 §5.2, RFC 8601 `arc` method), docs/cli.md `arc`.
 */
import type { AuthenticationResults } from '../authres/index.js';

/**
 * Chain validation status of the message as received (RFC 8617 §4.4, §5.2). `temperror` is mailtrust's: a key
 * lookup failed for now (DNS timeout, SERVFAIL, REFUSED) and nothing else failed; a retry may decide it.
 */
export type ArcResultValue = 'pass' | 'fail' | 'none' | 'temperror';

/** The `cv=` of an ARC-Seal, RFC 8617 §4.1.3 (`chain-status`). */
export type ChainValidationStatus = 'none' | 'pass' | 'fail';

/**
 * Signing algorithms of ARC-Seal and ARC-Message-Signature `a=` (RFC 8617 §4.1.2, §4.1.3 give them DKIM's a=
 * syntax). rsa-sha256 is the one RFC 8617 is deployed with; ed25519-sha256 (RFC 8463) is accepted only when the
 * verify options allow it (the default does; see docs/arc.md).
 */
export type ArcAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

/**
 * Why a chain did not pass:
 * - `arc.syntax` — an ARC header field is malformed (tag-list, a required tag missing or invalid, AAR without a
 *   leading `i=N;`, an AMS whose h= names ARC-Seal, an AS with h=).
 * - `arc.structure` — the sets are not numbered 1..N with exactly one AAR, AMS and AS each (§4.2.1, §5.2 step 3).
 * - `arc.too-many-instances` — more than 50 sets (§4.2.1).
 * - `arc.cv-fail` — a sealer already recorded cv=fail: the chain ended there (§5.2 step 2).
 * - `arc.cv-invalid` — i=1 does not say cv=none, or a later set does not say cv=pass (§5.2 step 3).
 * - `arc.algorithm` — a= is not an accepted algorithm (rsa-sha1, unknown, or ed25519-sha256 when not allowed).
 * - `arc.body-hash` — the newest AMS body hash does not match: the body changed after the last seal.
 * - `arc.ams-signature` — the newest AMS signature does not verify: a signed header field changed.
 * - `arc.seal-signature` — an ARC-Seal does not verify: an ARC set was altered, removed or added.
 * - `arc.key-missing`, `arc.key-revoked`, `arc.key-syntax`, `arc.key-type`, `arc.key-too-short` — the key record
 *   at selector._domainkey.domain is absent (NXDOMAIN/NODATA), empty p=, malformed, of the wrong type or not for
 *   email, or an RSA key under 1024 bits (RFC 6376 §3.6.1, RFC 8301 §3.2).
 * - `dns.timeout`, `dns.servfail`, `dns.refused` — the key lookup failed for now (result `temperror`).
 * - `arc.message-syntax` — the message header cannot be read at all, yet it mentions ARC-Seal.
 */
export type ArcErrorCode =
  | 'arc.syntax'
  | 'arc.structure'
  | 'arc.too-many-instances'
  | 'arc.cv-fail'
  | 'arc.cv-invalid'
  | 'arc.algorithm'
  | 'arc.body-hash'
  | 'arc.ams-signature'
  | 'arc.seal-signature'
  | 'arc.key-missing'
  | 'arc.key-revoked'
  | 'arc.key-syntax'
  | 'arc.key-type'
  | 'arc.key-too-short'
  | 'dns.timeout'
  | 'dns.servfail'
  | 'dns.refused'
  | 'arc.message-syntax';

/** What one ARC set says, as data (RFC 8617 §4.1): who sealed it and what that hop recorded. */
export interface ArcInstanceSummary {
  /** i= */
  instance: number;
  /** ARC-Seal d= (lower case): the sealing domain, the one a policy may trust (docs/trust-model.md `trustedForwarders`). */
  sealDomain: string;
  /** ARC-Seal s= */
  sealSelector: string;
  /** ARC-Seal a= */
  sealAlgorithm: ArcAlgorithm;
  /** ARC-Seal cv= */
  cv: ChainValidationStatus;
  /** ARC-Seal t=, seconds since the epoch, when given. */
  timestamp?: number;
  /** ARC-Message-Signature d= */
  messageSignatureDomain: string;
  /** ARC-Message-Signature s= */
  messageSignatureSelector: string;
  /** The ARC-Authentication-Results: what this hop's ADMD saw (RFC 8617 §4.1.1). */
  authResults: AuthenticationResults;
}

/** The result of ARC chain validation (docs/cli.md `arc`). */
export interface ArcResult {
  result: ArcResultValue;
  /** Number of ARC sets (the highest instance when the structure is sound; 0 for none). */
  instances: number;
  /** Every set, i=1 first, when the chain parsed (also for fail). Empty for none or a structural failure. */
  sets: ArcInstanceSummary[];
  /** For pass: the lowest instance from which every newer AMS still validates, 0 when all do (§5.2 step 5). */
  oldestPass?: number;
  /** The instance where validation failed (fail, temperror). */
  failedInstance?: number;
  error?: { code: ArcErrorCode; message: string };
}
