/**
 * DKIM signing, RFC 6376 §5 (rsa-sha256 §3.3.1, ed25519-sha256 RFC 8463 §3).
 */
import type { KeyObject } from 'node:crypto';
import { readPrivateKey } from './private-key.js';
import { readMessage, type ParsedMessage } from '../message/message.js';
import { hashBody } from './body-hash.js';
import { signData } from './crypto.js';
import { selectSignedFields, signedData } from './header-hash.js';
import { normalizeDomain, type Canonicalization } from './signature.js';

/** Header fields signed by default when present: RFC 6376 §5.4.1's list. */
export const defaultSignedHeaders: readonly string[] = Object.freeze([
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'resent-date',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-message-id',
  'in-reply-to',
  'references',
  'list-id',
  'list-help',
  'list-unsubscribe',
  'list-subscribe',
  'list-post',
  'list-owner',
  'list-archive',
]);

/** Header fields over-signed by default (§8.15): one more h= entry than instances, so none can be added. */
export const defaultOverSignedHeaders: readonly string[] = Object.freeze(['from']);

export type DkimSigningAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

export interface DkimSignOptions {
  /** d= */
  domain: string;
  /** s= */
  selector: string;
  /** PKCS#8 or PKCS#1 PEM, or a KeyObject. */
  privateKey: KeyObject | string;
  /** Default: from the key type. */
  algorithm?: DkimSigningAlgorithm;
  /** h= exactly as given (must include from); default: `defaultSignedHeaders` present, From over-signed. */
  headers?: readonly string[];
  /** c=, default relaxed/relaxed. */
  canonicalization?: `${Canonicalization}/${Canonicalization}`;
  /** Add l= with the canonical body length (off by default: it lets anyone append to the body, §8.2). */
  bodyLength?: boolean;
  /** i=, within d=. */
  identity?: string;
  /** Signing time (t=). */
  now: Date;
  /** Add x= this many seconds after t=. */
  expiresInSeconds?: number;
}

/** Why a message could not be signed: a `dkim.*` code (docs/dkim.md) or the message parser's `message.*` code. */
export interface SignError {
  code: string;
  message: string;
}

/** What {@link signDkim} gives: the DKIM-Signature header field (RFC 6376 §3.5), or why there is none. */
export type SignResult = { ok: true; field: string } | { ok: false; error: SignError };

function err(code: string, message: string): SignResult {
  return { ok: false, error: { code, message } };
}

const MAX_LINE = 76;

/**
 * Signs a message and returns the DKIM-Signature header field (folded, ending in CRLF), to put on top of the
 * message (`prependHeader`). Line ends of the input may be CRLF or bare LF (read as CRLF).
 */
export function signDkim(message: ParsedMessage | Uint8Array | string, options: DkimSignOptions): SignResult {
  const result = readMessage(message);
  if (!result.ok) return err(result.error.code, result.error.message);
  const parsed = result.value;
  const domain = normalizeDomain(options.domain);
  if (!domain) return err('dkim.syntax', `"${options.domain}" is not a domain name`);
  const selector = normalizeDomain(options.selector);
  if (!selector) return err('dkim.syntax', `"${options.selector}" is not a valid selector`);

  const read = readPrivateKey(options.privateKey);
  if (!read.ok) return err('dkim.key-syntax', read.message);
  const key = read.key;
  const keyType = key.asymmetricKeyType;
  const algorithm = options.algorithm ?? (keyType === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256');
  if ((algorithm === 'ed25519-sha256') !== (keyType === 'ed25519') || (keyType !== 'rsa' && keyType !== 'ed25519'))
    return err('dkim.key-type', `a ${keyType ?? 'unknown'} key cannot sign ${algorithm}`);
  if (keyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024)
    return err('dkim.key-too-short', 'RSA signing keys must have at least 1024 bits (RFC 8301 §3.2)');

  const [headerCanon, bodyCanon] = (options.canonicalization ?? 'relaxed/relaxed').split('/') as [
    Canonicalization,
    Canonicalization,
  ];
  if (!isCanon(headerCanon) || !isCanon(bodyCanon))
    return err('dkim.syntax', `unknown canonicalization ${options.canonicalization ?? ''}`);

  const present = new Map<string, number>();
  for (const field of parsed.fields) present.set(field.name, (present.get(field.name) ?? 0) + 1);
  if (!present.has('from')) return err('dkim.from-not-signed', 'the message has no From field to sign');
  let headers: string[];
  if (options.headers) {
    headers = options.headers.map((h) => h.trim().toLowerCase());
    if (headers.some((h) => !/^[\x21-\x39\x3b-\x7e]+$/.test(h))) return err('dkim.syntax', 'invalid header name');
    if (!headers.includes('from')) return err('dkim.from-not-signed', 'the signed header list must include From');
  } else {
    headers = [];
    for (const name of defaultSignedHeaders) {
      const count = (present.get(name) ?? 0) + (defaultOverSignedHeaders.includes(name) ? 1 : 0);
      for (let n = 0; n < count; n++) headers.push(name);
    }
  }

  if (options.identity !== undefined) {
    const at = options.identity.lastIndexOf('@');
    const idDomain = at < 0 ? undefined : normalizeDomain(options.identity.slice(at + 1));
    if (!idDomain || (idDomain !== domain && !idDomain.endsWith(`.${domain}`)))
      return err('dkim.syntax', `i=${options.identity} is not within d=${domain}`);
    if (/[\s;]/.test(options.identity)) return err('dkim.syntax', 'i= may not contain whitespace or ";"');
  }

  const body = hashBody(parsed.body, bodyCanon, 'sha256');
  const t = Math.floor(options.now.getTime() / 1000);
  const pieces: Piece[] = [
    { text: 'v=1;' },
    { text: `a=${algorithm};` },
    { text: `c=${headerCanon}/${bodyCanon};` },
    { text: `d=${domain};` },
    { text: `s=${selector};` },
    { text: `t=${t};` },
  ];
  if (options.expiresInSeconds !== undefined) {
    if (!Number.isInteger(options.expiresInSeconds) || options.expiresInSeconds <= 0)
      return err('dkim.syntax', 'expiresInSeconds must be a positive integer');
    pieces.push({ text: `x=${t + options.expiresInSeconds};` });
  }
  if (options.identity !== undefined) pieces.push({ text: `i=${options.identity};` });
  if (options.bodyLength) pieces.push({ text: `l=${body.canonicalLength};` });
  headers.forEach((name, index) => {
    const last = index === headers.length - 1;
    pieces.push({ text: `${index === 0 ? 'h=' : ''}${name}${last ? ';' : ':'}`, attach: index > 0 });
  });
  pieces.push({ text: `bh=${body.hash.toString('base64')};` });
  pieces.push({ text: 'b=' });
  const template = fold('DKIM-Signature:', pieces);

  const raw = Buffer.from(template, 'latin1');
  const colon = 'DKIM-Signature'.length;
  const data = signedData(
    selectSignedFields(parsed.fields, headers),
    raw,
    colon,
    { start: raw.length, end: raw.length },
    headerCanon,
  );
  const signature = signData(algorithm, key, data);
  return { ok: true, field: `${template}${foldBase64(signature.toString('base64'), lastLineLength(template))}\r\n` };
}

interface Piece {
  text: string;
  /** Joined without a space (h= names after a colon); a fold may still go before it. */
  attach?: boolean;
}

function fold(start: string, pieces: readonly Piece[]): string {
  let out = start;
  let line = start.length;
  for (const piece of pieces) {
    const sep = piece.attach ? '' : ' ';
    if (line + sep.length + piece.text.length > MAX_LINE) {
      out += `\r\n\t${piece.text}`;
      line = 1 + piece.text.length;
    } else {
      out += sep + piece.text;
      line += sep.length + piece.text.length;
    }
  }
  return out;
}

function lastLineLength(text: string): number {
  const nl = text.lastIndexOf('\n');
  // A tab counts as one column here; lines stay well under 78 either way.
  return text.length - (nl + 1);
}

function foldBase64(value: string, used: number): string {
  let out = '';
  let pos = 0;
  let room = Math.max(MAX_LINE - used, 8);
  while (pos < value.length) {
    out += (pos === 0 ? '' : '\r\n\t') + value.slice(pos, pos + room);
    pos += room;
    room = MAX_LINE - 1;
  }
  return out;
}

function isCanon(value: string | undefined): value is Canonicalization {
  return value === 'simple' || value === 'relaxed';
}

/**
 * Puts a header field (as `signDkim` returns it, ending in CRLF) on top of a message, using the message's own
 * line ends (bare LF when its first line ends so).
 */
export function prependHeader(message: Uint8Array, field: string): Uint8Array {
  const lf = message.indexOf(0x0a);
  const bareLf = lf >= 0 && (lf === 0 || message[lf - 1] !== 0x0d);
  const text = bareLf ? field.replace(/\r\n/g, '\n') : field;
  const head = Buffer.from(text, 'latin1');
  const out = new Uint8Array(head.length + message.length);
  out.set(head);
  out.set(message, head.length);
  return out;
}
