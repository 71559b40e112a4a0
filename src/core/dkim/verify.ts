/**
 * DKIM verification, RFC 6376 §6 (with RFC 8301 algorithm and key-size rules and RFC 8463 Ed25519).
 *
 * `createDkimVerifier` takes the parsed header first and the body in chunks, so a server can verify while DATA
 * streams in: key lookups start at once, body hashes are computed as bytes arrive. `verifyDkim` does both for a
 * whole message.
 */
import type { CheckContext } from '../context.js';
import { lookup } from '../dns/lookup.js';
import type { DnsAnswer } from '../dns/types.js';
import { all, andThen, type MaybeAsync } from '../maybe-async.js';
import { latin1Text, type HeaderField, type ParsedHeader } from '../message/header.js';
import { readMessage, type ParsedMessage } from '../message/message.js';
import { BodyHashSet, type BodyHasher, type BodyHashResult } from './body-hash.js';
import { selectSignedFields, signedData, verifyScratch } from './header-hash.js';
import { verifySignedData } from './crypto.js';
import { defaultEngineCaches } from '../caches.js';
import type { DkimKeyCache } from './key.js';
import { keyFromAnswer, keyMismatch, keyName } from './key-lookup.js';
import { reviseResult } from '../revise-result.js';
import type { DkimErrorCode, DkimResult, DkimResultValue } from './result.js';
import { parseDkimSignature, readSignatureIds, type DkimSignature } from './signature.js';

/** Options for verification. */
export interface DkimVerifyOptions {
  /** Parsed-key cache (default: one shared by the process). */
  keyCache?: DkimKeyCache;
  /**
   * Body hashers shared with other verifiers of the same message (ARC). The caller then feeds the body to the set
   * itself, and this verifier's `update()` does nothing.
   */
  bodyHashes?: BodyHashSet;
}

/** Verifies a message whose body arrives in chunks. */
export interface DkimVerifier {
  /** Feeds body bytes, in order. */
  update(chunk: Uint8Array): void;
  /** Ends the body; resolves to one result per DKIM-Signature, top to bottom (empty: no signature). */
  finish(): Promise<DkimResult[]>;
  /** {@link finish}, but the results themselves (no promise) when every key is known (`Resolver.known`). */
  finishResult(): MaybeAsync<DkimResult[]>;
}

/** One signature on its way through verification. */
interface Pending {
  signature: DkimSignature;
  base: DkimResult;
  field: HeaderField;
  key: MaybeAsync<DnsAnswer<string>>;
  hasher: BodyHasher;
}

function withError(base: DkimResult, result: DkimResultValue, code: DkimErrorCode, message: string): DkimResult {
  return reviseResult(base, { result, error: { code, message } });
}

/**
 * Starts verifying the DKIM-Signature fields of `header` (RFC 6376 §6.1). At most `ctx.limits.dkimSignatures`
 * signatures are verified (top first); the rest are reported once as `policy` / `dkim.too-many-signatures`.
 */
export function createDkimVerifier(
  ctx: CheckContext,
  header: ParsedHeader,
  options: DkimVerifyOptions = {},
): DkimVerifier {
  const cache = options.keyCache ?? (ctx.caches ?? defaultEngineCaches()).dkimKeys;
  const results: (DkimResult | Pending)[] = [];
  const hashes = options.bodyHashes ?? new BodyHashSet();
  const ownHashes = options.bodyHashes === undefined;
  const lookups = new Map<string, MaybeAsync<DnsAnswer<string>>>();
  const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
  const signatureFields = header.fields.filter((f) => f.name === 'dkim-signature');
  const limit = Math.max(0, ctx.limits.dkimSignatures);

  for (const field of signatureFields.slice(0, limit)) {
    const value = latin1Text(field.raw.subarray(field.valueOffset));
    const parsed = parseDkimSignature(value);
    if (!parsed.ok) {
      const ids = readSignatureIds(value);
      const code: DkimErrorCode = parsed.error.code === 'dkim.from-not-signed' ? 'dkim.from-not-signed' : 'dkim.syntax';
      results.push({ result: 'permerror', ...ids, error: { code, message: parsed.error.message } });
      continue;
    }
    const signature = parsed.value;
    const base: DkimResult = {
      result: 'pass',
      domain: signature.domain,
      selector: signature.selector,
      algorithm: signature.algorithm,
      identity: signature.identity,
      headerB: signature.signatureBase64.slice(0, 8),
    };
    if (signature.algorithm === 'rsa-sha1') {
      results.push(withError(base, 'policy', 'dkim.rsa-sha1', 'rsa-sha1 signatures are not acceptable (RFC 8301)'));
      continue;
    }
    if (signature.expiration !== undefined && signature.expiration < nowSeconds) {
      const when = new Date(signature.expiration * 1000).toISOString();
      results.push(withError(base, 'neutral', 'dkim.expired', `the signature expired at ${when} (x=)`));
      continue;
    }
    const name = keyName(signature.selector, signature.domain);
    let key = lookups.get(name);
    if (!key) {
      key = lookup(ctx.resolver, 'txt', name);
      // A resolver breaking its contract (rejecting) must not leave an unhandled rejection behind.
      if (key instanceof Promise) key = key.catch((): DnsAnswer<string> => ({ ok: false, kind: 'servfail' }));
      lookups.set(name, key);
    }
    const hasher = hashes.hasher(signature.bodyCanonicalization, signature.bodyLength);
    results.push({ signature, base, field, key, hasher });
  }
  const skipped = signatureFields.length - Math.min(limit, signatureFields.length);
  if (skipped > 0) {
    const first = signatureFields[limit];
    const ids = first ? readSignatureIds(latin1Text(first.raw.subarray(first.valueOffset, 4096))) : undefined;
    results.push({
      result: 'policy',
      domain: ids?.domain ?? '',
      selector: ids?.selector ?? '',
      algorithm: ids?.algorithm ?? '',
      error: {
        code: 'dkim.too-many-signatures',
        message: `${skipped} more DKIM-Signature fields were not verified (limit ${limit} per message)`,
      },
    });
  }

  let finished = false;
  const finishResult = (): MaybeAsync<DkimResult[]> => {
    if (finished) throw new Error('DkimVerifier: finish called twice');
    finished = true;
    const done: MaybeAsync<DkimResult>[] = [];
    for (const entry of results) {
      if (!('signature' in entry)) {
        done.push(entry);
        continue;
      }
      const bodyHash = hashes.digest(entry.hasher);
      done.push(andThen(entry.key, (answer) => complete(entry, answer, bodyHash, header, cache)));
    }
    return all(done);
  };
  return {
    update(chunk: Uint8Array): void {
      if (ownHashes) hashes.update(chunk);
    },
    async finish(): Promise<DkimResult[]> {
      return finishResult();
    },
    finishResult,
  };
}

/** Key checks (§6.1.2), then body hash (§6.1.3 step 1-3), then the signature (§6.1.3 step 4-6). */
function complete(
  pending: Pending,
  answer: DnsAnswer<string>,
  bodyHash: BodyHashResult | undefined,
  header: ParsedHeader,
  cache: DkimKeyCache,
): DkimResult {
  const { signature, base } = pending;
  const found = keyFromAnswer(answer, keyName(signature.selector, signature.domain), cache);
  if (!found.ok)
    return withError(
      found.testing ? reviseResult(base, { testing: true }) : base,
      found.result,
      found.code,
      found.message,
    );
  const result: DkimResult = found.key.testing ? reviseResult(base, { testing: true }) : base;
  const mismatch = keyMismatch(found.key, found.name, signature);
  if (mismatch !== undefined) return withError(result, 'permerror', 'dkim.key-type', mismatch);

  if (!bodyHash) return withError(result, 'permerror', 'dkim.syntax', 'no body hash was computed');
  if (signature.bodyLength !== undefined && signature.bodyLength > bodyHash.canonicalLength)
    return withError(
      result,
      'fail',
      'dkim.body-hash',
      `l=${signature.bodyLength} is longer than the body (${bodyHash.canonicalLength} bytes): the body was changed after signing`,
    );
  if (!bodyHash.hash.equals(signature.bodyHash))
    return withError(
      result,
      'fail',
      'dkim.body-hash',
      'the body hash does not match (bh=): the body was changed after signing',
    );

  const bTag = signature.tags.get('b');
  if (!bTag) return withError(result, 'permerror', 'dkim.syntax', 'b= is missing');
  const colon = pending.field.valueOffset - 1;
  const offset = pending.field.valueOffset;
  // Hardening as in dkimpy: one more From than h= lists, so a From field added on top of the signed one (which a
  // reader may see instead) breaks the signature even when the signer did not over-sign From (§8.15).
  const data = signedData(
    selectSignedFields(header.fields, [...signature.signedHeaders, 'from'], pending.field),
    pending.field.raw,
    colon,
    { start: offset + bTag.valueStart, end: offset + bTag.valueEnd },
    signature.headerCanonicalization,
    verifyScratch.reset(),
  );
  // rsa-sha1 never gets here (policy result above).
  const valid =
    signature.algorithm !== 'rsa-sha1' &&
    verifySignedData(signature.algorithm, found.publicKey, data, signature.signature);
  if (!valid) {
    const fromFields = header.fields.filter((f) => f.name === 'from').length;
    const signedFroms = signature.signedHeaders.filter((name) => name === 'from').length;
    const why =
      fromFields > signedFroms
        ? `a From field that was not signed was added (${fromFields} From fields, h= signs ${signedFroms})`
        : 'a signed header field was changed after signing, or the key does not match';
    return withError(result, 'fail', 'dkim.signature', `the signature does not verify: ${why}`);
  }
  return result;
}

/**
 * Verifies every DKIM-Signature of a message (RFC 6376 §6). Resolves to one result per signature, top to bottom;
 * an empty array when there is none (the caller reports `dkim=none`). A message whose header cannot be parsed
 * gives one `permerror` (`dkim.syntax`). Never rejects for bad input or DNS trouble.
 */
export async function verifyDkim(
  ctx: CheckContext,
  message: ParsedMessage | Uint8Array | string,
  options: DkimVerifyOptions = {},
): Promise<DkimResult[]> {
  const result = readMessage(message);
  if (!result.ok) {
    if (result.error.code === 'message.no-header') return [];
    return [
      {
        result: 'permerror',
        domain: '',
        selector: '',
        algorithm: '',
        error: { code: 'dkim.syntax', message: `the message header cannot be parsed: ${result.error.message}` },
      },
    ];
  }
  const parsed = result.value;
  const verifier = createDkimVerifier(ctx, parsed, options);
  verifier.update(parsed.body);
  return verifier.finish();
}
