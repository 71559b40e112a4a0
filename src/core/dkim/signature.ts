/**
 * The DKIM-Signature header field, RFC 6376 §3.5 (algorithms per RFC 8301 and RFC 8463).
 */
import type { ParseResult } from '../parse-result.js';
import { memoizeByText } from '../text-memo.js';
import { parseTagList, stripFws, trimFws, type TagList } from './tag-list.js';
import { lowerCaseName } from '../dns/names.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const DIGITS = /^[0-9]+$/;

/** Signing algorithms: `rsa-sha256` (RFC 6376 §3.3.1), `ed25519-sha256` (RFC 8463 §3); `rsa-sha1` is parsed only
 * to be refused (RFC 8301 §3.1). */
export type DkimAlgorithm = 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';

/** Canonicalization algorithms, RFC 6376 §3.4. */
export type Canonicalization = 'simple' | 'relaxed';

/** A parsed DKIM-Signature, RFC 6376 §3.5. */
export interface DkimSignature {
  /** a= */
  algorithm: DkimAlgorithm;
  /** b=, decoded. */
  signature: Uint8Array;
  /** b= as written, FWS removed. */
  signatureBase64: string;
  /** bh=, decoded. */
  bodyHash: Uint8Array;
  /** c= header part (default simple). */
  headerCanonicalization: Canonicalization;
  /** c= body part (default simple). */
  bodyCanonicalization: Canonicalization;
  /** d=, lower case. */
  domain: string;
  /** h=, lower case, in order (repeats kept: over-signing, §5.4.2). */
  signedHeaders: string[];
  /** i= (default `@` + d=, §3.5). */
  identity: string;
  /** Domain part of i=, lower case. */
  identityDomain: string;
  /** l=, when given. */
  bodyLength?: number;
  /** s=, lower case. */
  selector: string;
  /** t=, seconds since the epoch. */
  timestamp?: number;
  /** x=, seconds since the epoch. */
  expiration?: number;
  /** z=, copied header fields, as written. */
  copiedHeaders?: string;
  /** The tags as parsed (offsets into the field value; `b` is used to blank the signature for hashing). */
  tags: TagList;
}

/** The parts of a signature that name it, read even from a field that does not parse (for reporting). */
export interface DkimSignatureIds {
  domain: string;
  selector: string;
  algorithm: string;
}

const domainPattern =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const headerNamePattern = /^[\x21-\x39\x3b-\x7e]+$/;

function err(message: string, code = 'dkim.syntax'): ParseResult<never> {
  return { ok: false, error: { code, message } };
}

/** Decodes strict base64 (padding optional); undefined when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (end % 4 === 1) return isBase64(text) ? Buffer.from(text, 'base64') : undefined;
  // Buffer reads base64url's "-" and "_" as digits (refused here), skips other characters outside the alphabet and
  // stops at "=". For these lengths every digit short makes the output shorter, so a text holding any other
  // character decodes to fewer bytes than its length says: one native pass instead of a scan.
  if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (end * 3) >> 2 ? bytes : undefined;
}

/** `[A-Za-z0-9+/]*={0,2}`, by a scan (this runs on every b=, bh= and key p=). */
function isBase64(text: string): boolean {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || BASE64_ALPHABET[c] === 0) return false;
  }
  return true;
}

/** 1 for the characters of the base64 alphabet (RFC 4648 §4), by code. */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
  BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/** Lower-cased domain when it is a valid domain name (RFC 6376 §3.5 d=, sub-domain of RFC 5321), else undefined. */
export function normalizeDomain(text: string): string | undefined {
  return normalizedDomains(text);
}

/** The same few d= and s= values come on every message: each text is checked once. */
const normalizedDomains = memoizeByText(
  (text: string): string | undefined => {
    const lower = lowerCaseName(text);
    return domainPattern.test(lower) ? lower : undefined;
  },
  { maxEntries: 4096, maxKeyLength: 255 },
);

/**
 * The h= names in lower case (repeats kept), or undefined when one is not a header name. A signer sends the same
 * h= on all its mail: each text is read once, and the list (frozen) is shared by the signatures that carry it.
 */
const signedHeaderNames = memoizeByText(
  (text: string): string[] | undefined => {
    const names = text.split(':').map((name) => trimFws(name).toLowerCase());
    return names.some((name) => !headerNamePattern.test(name)) ? undefined : (Object.freeze(names) as string[]);
  },
  { maxEntries: 1024, maxKeyLength: 2048 },
);

/** Tags every DKIM-Signature must have (RFC 6376 §3.5). */
const REQUIRED_TAGS = ['v', 'a', 'b', 'bh', 'd', 'h', 's'] as const;

/** Best-effort d=, s= and a= of a tag-list text, for reporting a signature that does not parse. */
export function readSignatureIds(value: string): DkimSignatureIds {
  const pick = (name: string): string => {
    const match = new RegExp(`(?:^|;)[ \\t\\r\\n]*${name}[ \\t\\r\\n]*=([^;]{0,256})`).exec(value.slice(0, 64 * 1024));
    return match?.[1] ? trimFws(match[1]).toLowerCase() : '';
  };
  return { domain: pick('d'), selector: pick('s'), algorithm: pick('a') };
}

function parseDigits(text: string, maxDigits: number): number | undefined {
  if (!DIGITS.test(text) || text.length > maxDigits) return undefined;
  return Number(text);
}

/**
 * Parses a DKIM-Signature field value (the text after the colon, one character per byte so that tag offsets are
 * byte offsets), RFC 6376 §3.5. Checks required tags, v=1, known algorithms and canonicalizations, q=dns/txt,
 * base64, that h= signs From (§5.4, code `dkim.from-not-signed`), that i= lies within d= (§3.5), and that x= is
 * after t=.
 */
export function parseDkimSignature(value: string): ParseResult<DkimSignature> {
  const parsed = parseTagList(value);
  if (!parsed.ok) return parsed;
  const tags = parsed.value;
  for (const required of REQUIRED_TAGS) if (!tags.has(required)) return err(`required tag ${required}= is missing`);
  const get = (name: string): string | undefined => tags.get(name)?.value;

  if (get('v') !== '1') return err(`v=${get('v') ?? ''} is not version 1`);

  const algorithmText = (get('a') ?? '').toLowerCase();
  if (algorithmText !== 'rsa-sha256' && algorithmText !== 'rsa-sha1' && algorithmText !== 'ed25519-sha256')
    return err(`unknown signing algorithm a=${algorithmText}`);
  const algorithm: DkimAlgorithm = algorithmText;

  const signatureBase64 = stripFws(get('b') ?? '');
  const signature = decodeBase64(signatureBase64);
  if (!signature || signature.length === 0) return err('b= is not base64');
  const bodyHashText = stripFws(get('bh') ?? '');
  const bodyHash = decodeBase64(bodyHashText);
  if (!bodyHash || bodyHash.length === 0) return err('bh= is not base64');

  let headerCanonicalization: Canonicalization = 'simple';
  let bodyCanonicalization: Canonicalization = 'simple';
  const c = get('c');
  if (c !== undefined) {
    const [headerPart, bodyPart, ...rest] = c.toLowerCase().split('/');
    if (rest.length > 0 || !isCanonicalization(headerPart) || (bodyPart !== undefined && !isCanonicalization(bodyPart)))
      return err(`unknown canonicalization c=${c}`);
    headerCanonicalization = headerPart;
    if (bodyPart !== undefined) bodyCanonicalization = bodyPart;
  }

  const domain = normalizeDomain(get('d') ?? '');
  if (!domain) return err(`d=${get('d') ?? ''} is not a domain name`);
  const selector = normalizeDomain(get('s') ?? '');
  if (!selector) return err(`s=${get('s') ?? ''} is not a valid selector`);

  const signedHeaders = signedHeaderNames(get('h') ?? '');
  if (signedHeaders === undefined) return err('h= holds an invalid header name');
  if (!signedHeaders.includes('from')) return err('h= does not include From', 'dkim.from-not-signed');

  let identity = `@${domain}`;
  let identityDomain = domain;
  const i = get('i');
  if (i !== undefined) {
    const at = i.lastIndexOf('@');
    const idDomain = at < 0 ? undefined : normalizeDomain(i.slice(at + 1));
    if (!idDomain) return err(`i=${i} is not an identity (local-part@domain)`);
    if (idDomain !== domain && !idDomain.endsWith(`.${domain}`))
      return err(`i= domain ${idDomain} is not d=${domain} or a subdomain of it`);
    identity = i;
    identityDomain = idDomain;
  }

  const q = get('q');
  if (q !== undefined && !q.split(':').some((method) => trimFws(method).toLowerCase() === 'dns/txt'))
    return err(`q=${q} offers no dns/txt query method`);

  const result: DkimSignature = {
    algorithm,
    signature,
    signatureBase64,
    bodyHash,
    headerCanonicalization,
    bodyCanonicalization,
    domain,
    signedHeaders,
    identity,
    identityDomain,
    selector,
    tags,
  };
  const l = get('l');
  if (l !== undefined) {
    const n = parseDigits(l, 76);
    if (n === undefined) return err(`l=${l} is not a number`);
    result.bodyLength = n;
  }
  const t = get('t');
  if (t !== undefined) {
    const n = parseDigits(t, 12);
    if (n === undefined) return err(`t=${t} is not a timestamp`);
    result.timestamp = n;
  }
  const x = get('x');
  if (x !== undefined) {
    const n = parseDigits(x, 12);
    if (n === undefined) return err(`x=${x} is not a timestamp`);
    if (result.timestamp !== undefined && n < result.timestamp) return err(`x=${x} is before t=${t ?? ''}`);
    result.expiration = n;
  }
  const z = get('z');
  if (z !== undefined) result.copiedHeaders = z;
  return { ok: true, value: result };
}

function isCanonicalization(value: string | undefined): value is Canonicalization {
  return value === 'simple' || value === 'relaxed';
}
