/**
 * ARC chain validation, RFC 8617 §5.2.
 *
 * `createArcVerifier` takes the parsed header first and the body in chunks (key lookups start at once, the body is
 * hashed as it arrives), so a server can validate while DATA streams in; `verifyArc` does both for a whole message.
 */
import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { CheckContext } from '../context.js';
import { BodyHashSet, selectSignedFields, signedData, type BodyHasher, type DkimKeyCache } from '../dkim/index.js';
import type { BodyHashResult } from '../dkim/index.js';
import { defaultEngineCaches } from '../caches.js';
import { verifyScratch } from '../dkim/header-hash.js';
import { readMessage, type HeaderField, type ParsedHeader, type ParsedMessage } from '../message/index.js';
import type { ArcMessageSignature } from './fields.js';
import { ArcKeyLookups, type ArcKey } from './key.js';
import { all, andThen, type MaybeAsync } from '../maybe-async.js';
import type { ArcAlgorithm, ArcErrorCode, ArcInstanceSummary, ArcResult } from './result.js';
import { isArcFieldName, parseArcSets, type ArcSet } from './sets.js';

/** Options for validation. */
export interface ArcVerifyOptions {
  /** Parsed-key cache (default: the one DKIM shares across the process). */
  keyCache?: DkimKeyCache;
  /**
   * Body hashers shared with other verifiers of the same message (DKIM). The caller then feeds the body to the set
   * itself, and this verifier's `update()` does nothing.
   */
  bodyHashes?: BodyHashSet;
  /**
   * Algorithms accepted in ARC-Seal and ARC-Message-Signature. Default: rsa-sha256 and ed25519-sha256 (RFC 8463);
   * pass `['rsa-sha256']` for RFC 8617's letter (as dkimpy reads it). See docs/arc.md.
   */
  algorithms?: readonly ArcAlgorithm[];
}

/** Validates a chain whose message body arrives in chunks. */
export interface ArcVerifier {
  /** Feeds body bytes, in order. */
  update(chunk: Uint8Array): void;
  /** Ends the body and resolves to the chain's result. */
  finish(): Promise<ArcResult>;
  /** {@link finish}, but the result itself (no promise) when every key is known (`Resolver.known`). */
  finishResult(): MaybeAsync<ArcResult>;
}

/** The default algorithm policy (docs/arc.md). */
export const defaultArcAlgorithms: readonly ArcAlgorithm[] = Object.freeze(['rsa-sha256', 'ed25519-sha256']);

/** Body hashers per validation: the newest AMS's and up to three more for oldest-pass (bounded work). */
const maxBodyHashers = 4;

/** The outcome of one signature check. */
type Check = { outcome: 'pass' } | { outcome: 'fail' | 'temperror'; code: ArcErrorCode; message: string };

const PASS: Check = { outcome: 'pass' };

function summarize(set: ArcSet): ArcInstanceSummary {
  const summary: ArcInstanceSummary = {
    instance: set.instance,
    sealDomain: set.seal.domain,
    sealSelector: set.seal.selector,
    sealAlgorithm: set.seal.algorithm,
    cv: set.seal.cv,
    messageSignatureDomain: set.messageSignature.domain,
    messageSignatureSelector: set.messageSignature.selector,
    authResults: authResultsOf(set),
  };
  if (set.seal.timestamp !== undefined) summary.timestamp = set.seal.timestamp;
  return summary;
}

/** The AAR as RFC 8601 data (without the ARC-only instance and payload text). */
function authResultsOf(set: ArcSet): ArcInstanceSummary['authResults'] {
  const { authservId, results, version } = set.authResults;
  return version === undefined ? { authservId, results } : { authservId, version, results };
}

function failed(
  base: Omit<ArcResult, 'result'>,
  result: 'fail' | 'temperror',
  instance: number,
  code: ArcErrorCode,
  message: string,
): ArcResult {
  return { ...base, result, failedInstance: instance, error: { code, message } };
}

function verifySignature(algorithm: ArcAlgorithm, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return algorithm === 'ed25519-sha256'
      ? cryptoVerify(null, createHash('sha256').update(data).digest(), key, signature)
      : cryptoVerify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

function keyCheck(key: ArcKey & { ok: false }): Check {
  return { outcome: key.temporary ? 'temperror' : 'fail', code: key.code, message: key.message };
}

/** The offsets in a field's raw bytes of its b= value (to blank it, RFC 6376 §3.7). */
function bValue(field: HeaderField, tags: ArcSet['seal']['tags']): { start: number; end: number } {
  const b = tags.get('b');
  // b= is required by both parsers, so it is always there.
  const start = field.valueOffset + (b?.valueStart ?? 0);
  return { start, end: field.valueOffset + (b?.valueEnd ?? 0) };
}

/**
 * Starts validating the ARC chain of `header` (RFC 8617 §5.2). Structure, cv= and algorithm problems are decided
 * here without DNS; otherwise the key lookups start at once.
 */
export function createArcVerifier(
  ctx: CheckContext,
  header: ParsedHeader,
  options: ArcVerifyOptions = {},
): ArcVerifier {
  const accepted = options.algorithms ?? defaultArcAlgorithms;
  const lookups = new ArcKeyLookups(ctx, options.keyCache ?? (ctx.caches ?? defaultEngineCaches()).dkimKeys);
  const hashers = new Map<string, BodyHasher>();
  const hashes = options.bodyHashes ?? new BodyHashSet();
  const ownHashes = options.bodyHashes === undefined;
  let finished = false;
  const done = (result: ArcResult): ArcVerifier => {
    const finishResult = (): ArcResult => {
      if (finished) throw new Error('ArcVerifier: finish called twice');
      finished = true;
      return result;
    };
    return {
      update(): void {},
      finish: async () => finishResult(),
      finishResult,
    };
  };

  const parsed = parseArcSets(header);
  if (!parsed.ok) {
    const seals = header.fields.filter((f) => f.name === 'arc-seal').length;
    const result: ArcResult = {
      result: 'fail',
      instances: seals,
      sets: [],
      error: { code: parsed.error.code, message: parsed.error.message },
    };
    if (parsed.error.instance !== undefined) result.failedInstance = parsed.error.instance;
    return done(result);
  }
  const sets = parsed.value.sets;
  if (sets.length === 0) return done({ result: 'none', instances: 0, sets: [] });
  const base: Omit<ArcResult, 'result'> = { instances: sets.length, sets: sets.map(summarize) };
  const latest = sets[sets.length - 1] as ArcSet;

  // §5.2 step 2: a chain a sealer already marked failed stays failed.
  for (let n = sets.length - 1; n >= 0; n--) {
    const set = sets[n] as ArcSet;
    if (set.seal.cv === 'fail')
      return done(
        failed(
          base,
          'fail',
          set.instance,
          'arc.cv-fail',
          `ARC-Seal i=${set.instance} says cv=fail: the chain ended there`,
        ),
      );
  }
  // §5.2 step 3: i=1 says cv=none, every later seal cv=pass.
  for (const set of sets) {
    const wanted = set.instance === 1 ? 'none' : 'pass';
    if (set.seal.cv !== wanted)
      return done(
        failed(
          base,
          'fail',
          set.instance,
          'arc.cv-invalid',
          `ARC-Seal i=${set.instance} says cv=${set.seal.cv}, not cv=${wanted}`,
        ),
      );
  }
  for (const set of [...sets].reverse()) {
    for (const [label, algorithm] of [
      ['ARC-Seal', set.seal.algorithm],
      ['ARC-Message-Signature', set.messageSignature.algorithm],
    ] as const) {
      // Older AMSs only feed oldest-pass; their algorithm does not decide the chain.
      if (label === 'ARC-Message-Signature' && set !== latest) continue;
      if (!accepted.includes(algorithm))
        return done(
          failed(
            base,
            'fail',
            set.instance,
            'arc.algorithm',
            `${label} i=${set.instance} uses a=${algorithm}, which this policy does not accept`,
          ),
        );
    }
  }

  // Keys for every seal and the newest AMS now; older AMSs (oldest-pass only) are looked up after a pass. Started,
  // not awaited here: the answers are met again (and a rejection is already caught) when the keys are read.
  for (const set of sets) void lookups.start(set.seal.selector, set.seal.domain);
  void lookups.start(latest.messageSignature.selector, latest.messageSignature.domain);
  // Body hashers: the newest AMS's, plus a few more for older AMSs with other c=/l= (bounded: a hostile chain
  // could ask for 50 different l= values; older AMSs without a hasher simply end oldest-pass there).
  for (const set of [...sets].reverse()) {
    const ams = set.messageSignature;
    const key = hasherKey(ams);
    if (hashers.has(key)) continue;
    if (set !== latest && (hashers.size >= maxBodyHashers || !accepted.includes(ams.algorithm))) continue;
    hashers.set(key, hashes.hasher(ams.bodyCanonicalization, ams.bodyLength));
  }

  return {
    update(chunk: Uint8Array): void {
      if (ownHashes) hashes.update(chunk);
    },
    finish: async () => finishResult(),
    finishResult,
  };

  function finishResult(): MaybeAsync<ArcResult> {
    if (finished) throw new Error('ArcVerifier: finish called twice');
    finished = true;
    const digests = new Map<string, BodyHashResult>();
    for (const [key, hasher] of hashers) digests.set(key, hashes.digest(hasher));
    const checkAms = (set: ArcSet): MaybeAsync<Check> => verifyMessageSignature(set, sets, header, digests, lookups);
    const checks: MaybeAsync<Check>[] = [checkAms(latest)];
    for (let n = sets.length - 1; n >= 0; n--) checks.push(verifySeal(sets[n] as ArcSet, sets, lookups));
    return andThen(all(checks), ([amsCheck, ...sealChecks]): MaybeAsync<ArcResult> => {
      // RFC order: the newest AMS, then the seals from the newest down. A definite failure wins over a temporary one.
      const ordered: [number, Check][] = [[latest.instance, amsCheck as Check]];
      sealChecks.forEach((check, k) => ordered.push([sets.length - k, check]));
      const firstFail = ordered.find(([, check]) => check.outcome === 'fail');
      const firstTemp = ordered.find(([, check]) => check.outcome === 'temperror');
      const decisive = firstFail ?? firstTemp;
      if (decisive) {
        const [instance, check] = decisive;
        if (check.outcome !== 'pass') return failed(base, check.outcome, instance, check.code, check.message);
      }
      // §5.2 step 5: oldest-pass, from the AMS below the newest downwards.
      const below = (n: number): MaybeAsync<ArcResult> => {
        if (n < 0) return passed(base, 0);
        const set = sets[n] as ArcSet;
        const usable =
          accepted.includes(set.messageSignature.algorithm) && digests.has(hasherKey(set.messageSignature));
        if (!usable) return passed(base, set.instance + 1);
        return andThen(checkAms(set), (check) =>
          check.outcome === 'pass' ? below(n - 1) : passed(base, set.instance + 1),
        );
      };
      return below(sets.length - 2);
    });
  }
}

/** A validated chain (§5.2 step 6) with its oldest-pass (step 5; 0 when every AMS passed). */
function passed(base: Omit<ArcResult, 'result'>, oldestPass: number): ArcResult {
  return { result: 'pass', instances: base.instances, sets: base.sets, oldestPass };
}

function hasherKey(ams: ArcMessageSignature): string {
  return `${ams.bodyCanonicalization}:${ams.bodyLength ?? ''}`;
}

/** Validates the AMS of one set (RFC 8617 §5.2 step 4: body hash and signature, DKIM's §6.1.3). */
function verifyMessageSignature(
  set: ArcSet,
  sets: readonly ArcSet[],
  header: ParsedHeader,
  digests: ReadonlyMap<string, BodyHashResult>,
  lookups: ArcKeyLookups,
): MaybeAsync<Check> {
  const ams = set.messageSignature;
  return andThen(lookups.key(ams.selector, ams.domain, ams.algorithm), (key) =>
    key.ok ? checkMessageSignature(set, sets, header, digests, key.key) : keyCheck(key),
  );
}

/** {@link verifyMessageSignature} once the key is known. */
function checkMessageSignature(
  set: ArcSet,
  sets: readonly ArcSet[],
  header: ParsedHeader,
  digests: ReadonlyMap<string, BodyHashResult>,
  key: KeyObject,
): Check {
  const ams = set.messageSignature;
  const label = `ARC-Message-Signature i=${set.instance}`;
  const digest = digests.get(hasherKey(ams));
  if (!digest) return { outcome: 'fail', code: 'arc.body-hash', message: `${label}: no body hash was computed` };
  if (ams.bodyLength !== undefined && ams.bodyLength > digest.canonicalLength)
    return { outcome: 'fail', code: 'arc.body-hash', message: `${label}: l=${ams.bodyLength} is longer than the body` };
  if (!digest.hash.equals(ams.bodyHash))
    return {
      outcome: 'fail',
      code: 'arc.body-hash',
      message: `${label}: the body hash does not match (bh=): the body changed after this hop sealed it`,
    };
  // Fields added by later hops (their ARC sets) are not candidates for an older AMS's h=.
  const later = new Set<HeaderField>();
  for (const other of sets)
    if (other.instance > set.instance)
      later.add(other.authResultsField).add(other.messageSignatureField).add(other.sealField);
  const candidates = later.size === 0 ? header.fields : header.fields.filter((f) => !later.has(f));
  // A From field the AMS does not cover is what a reader would see: like dkimpy, count it as a changed header
  // (the classic From-injection; RFC 6376 §8.15 asks signers to over-sign, this holds even when they did not).
  const signedFroms = ams.signedHeaders.filter((name) => name === 'from').length;
  if (signedFroms > 0 && candidates.filter((f) => f.name === 'from').length > signedFroms)
    return {
      outcome: 'fail',
      code: 'arc.ams-signature',
      message: `${label}: the message has a From field the signature does not cover`,
    };
  const field = set.messageSignatureField;
  const data = signedData(
    selectSignedFields(candidates, ams.signedHeaders),
    field.raw,
    field.valueOffset - 1,
    bValue(field, ams.tags),
    ams.headerCanonicalization,
    verifyScratch.reset(),
  );
  if (!verifySignature(ams.algorithm, data, key, ams.signature))
    return {
      outcome: 'fail',
      code: 'arc.ams-signature',
      message: `${label}: the signature does not verify: a signed header field changed after this hop sealed it`,
    };
  return PASS;
}

/**
 * Validates the AS of one set (RFC 8617 §5.1.1, §5.2 step 6): the signature covers every ARC set up to this one,
 * i=1 first, each as AAR, AMS, AS, with this seal's b= blanked, relaxed header canonicalization.
 */
function verifySeal(set: ArcSet, sets: readonly ArcSet[], lookups: ArcKeyLookups): MaybeAsync<Check> {
  const seal = set.seal;
  return andThen(lookups.key(seal.selector, seal.domain, seal.algorithm), (key) =>
    key.ok ? checkSeal(set, sets, key.key) : keyCheck(key),
  );
}

/** {@link verifySeal} once the key is known. */
function checkSeal(set: ArcSet, sets: readonly ArcSet[], key: KeyObject): Check {
  const seal = set.seal;
  const covered: HeaderField[] = [];
  for (const other of sets) {
    if (other.instance > set.instance) break;
    covered.push(other.authResultsField, other.messageSignatureField);
    if (other.instance < set.instance) covered.push(other.sealField);
  }
  const field = set.sealField;
  const data = signedData(
    covered,
    field.raw,
    field.valueOffset - 1,
    bValue(field, seal.tags),
    'relaxed',
    verifyScratch.reset(),
  );
  if (!verifySignature(seal.algorithm, data, key, seal.signature))
    return {
      outcome: 'fail',
      code: 'arc.seal-signature',
      message: `ARC-Seal i=${set.instance} does not verify: an ARC set up to i=${set.instance} was altered, removed or added`,
    };
  return PASS;
}

/**
 * Validates the ARC chain of a message (RFC 8617 §5.2): `none` without ARC fields, `pass` when the structure,
 * cv= values, the newest AMS and every AS hold, `fail` with the instance and the reason otherwise, `temperror`
 * when only a key lookup failed for now. Never rejects for bad input or DNS trouble.
 */
export async function verifyArc(
  ctx: CheckContext,
  message: ParsedMessage | Uint8Array | string,
  options: ArcVerifyOptions = {},
): Promise<ArcResult> {
  const result = readMessage(message);
  if (!result.ok) {
    // Only bytes or text fail to parse; the first MB says whether the header held an ARC set at all.
    const raw =
      typeof message === 'string'
        ? message
        : message instanceof Uint8Array
          ? Buffer.from(message.subarray(0, 1 << 20)).toString('latin1')
          : '';
    if (result.error.code === 'message.no-header' || !/^arc-seal[ \t]*:/im.test(raw))
      return { result: 'none', instances: 0, sets: [] };
    return {
      result: 'fail',
      instances: 0,
      sets: [],
      error: { code: 'arc.message-syntax', message: `the message header cannot be read: ${result.error.message}` },
    };
  }
  const parsed = result.value;
  const verifier = createArcVerifier(ctx, parsed, options);
  verifier.update(parsed.body);
  return verifier.finish();
}

/** True when the header carries any ARC field (cheap pre-check for callers). */
export function hasArcFields(header: { fields: readonly HeaderField[] }): boolean {
  return header.fields.some((f) => isArcFieldName(f.name));
}
