/**
 * ARC-Seal (RFC 8617 §4.1.3) and ARC-Message-Signature (RFC 8617 §4.1.2) field values: DKIM tag-lists
 * (RFC 6376 §3.2) with an `i=` instance.
 */
import { decodeBase64, normalizeDomain, parseTagList, stripFws, trimFws, type TagList } from '../dkim/index.js';
import type { Canonicalization } from '../dkim/index.js';
import type { ParseResult } from '../parse-result.js';
import { parseInstanceNumber } from './aar.js';
import type { ArcAlgorithm, ChainValidationStatus } from './result.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const TIMESTAMP = /^[0-9]{1,12}$/;
const LENGTH = /^[0-9]{1,15}$/;

/** A parsed ARC-Seal, RFC 8617 §4.1.3. */
export interface ArcSeal {
  /** i= */
  instance: number;
  /** a= */
  algorithm: ArcAlgorithm;
  /** b=, decoded. */
  signature: Uint8Array;
  /** cv= */
  cv: ChainValidationStatus;
  /** d=, lower case. */
  domain: string;
  /** s=, lower case. */
  selector: string;
  /** t=, when given. */
  timestamp?: number;
  /** The tags with their offsets (b= is blanked by offset for hashing). */
  tags: TagList;
}

/** A parsed ARC-Message-Signature, RFC 8617 §4.1.2 (a DKIM-Signature without v=, with i= an instance). */
export interface ArcMessageSignature {
  /** i= */
  instance: number;
  /** a= */
  algorithm: ArcAlgorithm;
  /** b=, decoded. */
  signature: Uint8Array;
  /** bh=, decoded. */
  bodyHash: Uint8Array;
  /** c= header part. */
  headerCanonicalization: Canonicalization;
  /** c= body part. */
  bodyCanonicalization: Canonicalization;
  /** d=, lower case. */
  domain: string;
  /** s=, lower case. */
  selector: string;
  /** h=, lower case, in order; may be empty. */
  signedHeaders: string[];
  /** l=, when given. */
  bodyLength?: number;
  /** t=, when given. */
  timestamp?: number;
  tags: TagList;
}

/**
 * c= when an AMS has none. RFC 8617 §4.1.2 inherits DKIM's simple/simple, but ARC is relaxed throughout (the
 * seal is always relaxed) and every deployed implementation (dkimpy, OpenARC, the ValiMail suite's
 * `ams_fields_c_na`) reads a missing c= as relaxed/relaxed. mailtrust follows them.
 */
export const defaultAmsCanonicalization: Readonly<{ header: Canonicalization; body: Canonicalization }> = Object.freeze(
  { header: 'relaxed', body: 'relaxed' },
);

const headerNamePattern = /^[\x21-\x39\x3b-\x7e]+$/;

function err(message: string, code = 'arc.syntax'): ParseResult<never> {
  return { ok: false, error: { code, message } };
}

/** The tags every ARC signature field shares (RFC 8617 §4.1.2, §4.1.3). */
interface CommonTags {
  instance: number;
  algorithm: ArcAlgorithm;
  signature: Uint8Array;
  domain: string;
  selector: string;
  timestamp?: number;
}

/** Reads the tags every ARC signature field shares. */
function common(field: string, tags: TagList, required: readonly string[]): ParseResult<CommonTags> {
  for (const name of required) if (!tags.has(name)) return err(`${field}: required tag ${name}= is missing`);
  const get = (name: string): string => tags.get(name)?.value ?? '';
  const instance = parseInstanceNumber(get('i'));
  if (instance === undefined || instance < 1) return err(`${field}: i=${get('i')} is not an instance number`);
  const algorithmText = get('a').toLowerCase();
  if (algorithmText !== 'rsa-sha256' && algorithmText !== 'ed25519-sha256')
    return err(`${field}: a=${get('a')} is not an accepted algorithm (rsa-sha256)`, 'arc.algorithm');
  const signature = decodeBase64(stripFws(get('b')));
  if (!signature || signature.length === 0) return err(`${field}: b= is not base64`);
  const domain = normalizeDomain(get('d'));
  if (!domain) return err(`${field}: d=${get('d')} is not a domain name`);
  const selector = normalizeDomain(get('s'));
  if (!selector) return err(`${field}: s=${get('s')} is not a valid selector`);
  const value: CommonTags = {
    instance,
    algorithm: algorithmText,
    signature,
    domain,
    selector,
  };
  const t = tags.get('t');
  if (t !== undefined) {
    if (!TIMESTAMP.test(t.value)) return err(`${field}: t=${t.value} is not a timestamp`);
    value.timestamp = Number(t.value);
  }
  return { ok: true, value };
}

/**
 * Parses an ARC-Seal value (RFC 8617 §4.1.3): a, b, cv, d, i, s required; t optional; h= is not allowed
 * (the seal covers the ARC sets, §5.1.1); unknown tags are ignored.
 */
export function parseArcSeal(value: string): ParseResult<ArcSeal> {
  const parsed = parseTagList(value);
  if (!parsed.ok) return err(`ARC-Seal: ${parsed.error.message}`);
  const tags = parsed.value;
  const base = common('ARC-Seal', tags, ['i', 'a', 'b', 'cv', 'd', 's']);
  if (!base.ok) return base;
  if (tags.has('h')) return err('ARC-Seal: h= is not allowed in an ARC-Seal (RFC 8617 §4.1.3)');
  const cv = (tags.get('cv')?.value ?? '').toLowerCase();
  if (cv !== 'none' && cv !== 'pass' && cv !== 'fail') return err(`ARC-Seal: cv=${cv} is not none, pass or fail`);
  const { instance, algorithm, signature, domain, selector, timestamp } = base.value;
  const seal: ArcSeal = { instance, algorithm, signature, cv, domain, selector, tags };
  if (timestamp !== undefined) seal.timestamp = timestamp;
  return { ok: true, value: seal };
}

/**
 * Parses an ARC-Message-Signature value (RFC 8617 §4.1.2): a, b, bh, d, h, i, s required; c, l, t optional.
 * h= may be empty but must not name ARC-Seal (§4.1.2).
 */
export function parseArcMessageSignature(value: string): ParseResult<ArcMessageSignature> {
  const parsed = parseTagList(value);
  if (!parsed.ok) return err(`ARC-Message-Signature: ${parsed.error.message}`);
  const tags = parsed.value;
  const base = common('ARC-Message-Signature', tags, ['i', 'a', 'b', 'bh', 'd', 'h', 's']);
  if (!base.ok) return base;
  const bodyHash = decodeBase64(stripFws(tags.get('bh')?.value ?? ''));
  if (!bodyHash || bodyHash.length === 0) return err('ARC-Message-Signature: bh= is not base64');

  let headerCanonicalization = defaultAmsCanonicalization.header;
  let bodyCanonicalization = defaultAmsCanonicalization.body;
  const c = tags.get('c');
  if (c !== undefined) {
    const [headerPart, bodyPart, ...rest] = c.value.toLowerCase().split('/');
    if (rest.length > 0 || !isCanonicalization(headerPart) || (bodyPart !== undefined && !isCanonicalization(bodyPart)))
      return err(`ARC-Message-Signature: unknown canonicalization c=${c.value}`);
    headerCanonicalization = headerPart;
    // RFC 6376 §3.5: a c= naming only the header algorithm means simple for the body.
    bodyCanonicalization = bodyPart ?? 'simple';
  }

  // An empty name (`h=from::to`, or `h=` alone) selects no field, as in dkimpy and the ValiMail suite
  // (`ams_fields_h_mis_hdr`, `ams_fields_h_empty`); RFC 6376's grammar has no empty names, but nothing is signed
  // by one, so reading it as nothing is safe.
  const signedHeaders = (tags.get('h')?.value ?? '')
    .split(':')
    .map((name) => trimFws(name).toLowerCase())
    .filter((name) => name !== '');
  if (signedHeaders.some((name) => !headerNamePattern.test(name)))
    return err('ARC-Message-Signature: h= holds an invalid header name');
  if (signedHeaders.includes('arc-seal'))
    return err('ARC-Message-Signature: h= must not include ARC-Seal (RFC 8617 §4.1.2)');

  const { instance, algorithm, signature, domain, selector, timestamp } = base.value;
  const result: ArcMessageSignature = {
    instance,
    algorithm,
    signature,
    domain,
    selector,
    bodyHash,
    headerCanonicalization,
    bodyCanonicalization,
    signedHeaders,
    tags,
  };
  if (timestamp !== undefined) result.timestamp = timestamp;
  const l = tags.get('l');
  if (l !== undefined) {
    if (!LENGTH.test(l.value)) return err(`ARC-Message-Signature: l=${l.value} is not a number`);
    result.bodyLength = Number(l.value);
  }
  return { ok: true, value: result };
}

function isCanonicalization(value: string | undefined): value is Canonicalization {
  return value === 'simple' || value === 'relaxed';
}
