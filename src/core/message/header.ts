/**
 * The header block of an RFC 5322 message as bytes: fields split once, kept in order with duplicates, never
 * decoded and re-encoded (RFC 5322 §2.2, §3.2.2 folding). Bare LF line ends are read as CRLF (files on disk).
 */
import { isAscii } from 'node:buffer';
import type { ParseResult } from '../parse-result.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const FOLDS = /\r?\n(?=[ \t])/g;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** Caps that keep hostile headers bounded (mailtrust's own; real messages stay far below them). */
export interface HeaderLimits {
  /** Header fields in the block. */
  maxFields: number;
  /** Bytes in the header block. */
  maxHeaderBytes: number;
}

export const defaultHeaderLimits: Readonly<HeaderLimits> = Object.freeze({
  maxFields: 10_000,
  maxHeaderBytes: 16 * 1024 * 1024,
});

/** One header field, RFC 5322 §2.2. */
export interface HeaderField {
  /** Field name in lower case, without trailing whitespace (`dkim-signature`). */
  name: string;
  /** The field exactly as it appears, name through value with its folding CRLFs, without the final CRLF. */
  raw: Uint8Array;
  /** Offset of `raw` in the header block. */
  start: number;
  /** Offset in `raw` just after the colon: the value (unfolded, it is what RFC 5322 §3.2.2 calls the body). */
  valueOffset: number;
}

/** A parsed header block (CRLF line ends, including its last CRLF but not the empty line). */
export interface ParsedHeader {
  /** The header block bytes with CRLF line ends. */
  header: Uint8Array;
  /** Fields top to bottom, duplicates kept. */
  fields: HeaderField[];
  /** True when the input used bare LF somewhere in the header block (it was rewritten to CRLF here). */
  bareLf: boolean;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Where the header block ends: the offset of the empty line's first byte and of the body's first byte.
 * Accepts CRLF or bare LF line ends. Without an empty line the whole input is header and the body is empty.
 * An input that starts with an empty line has no header fields.
 */
export function findHeaderEnd(input: Uint8Array): { headerEnd: number; bodyStart: number } {
  const bytes = asBuffer(input);
  // Line starts at 0; an empty line is a line whose first byte is CR LF or LF.
  let lineStart = 0;
  const length = bytes.length;
  while (lineStart < length) {
    const first = bytes[lineStart];
    if (first === LF) return { headerEnd: lineStart, bodyStart: lineStart + 1 };
    if (first === CR && bytes[lineStart + 1] === LF) return { headerEnd: lineStart, bodyStart: lineStart + 2 };
    const lf = bytes.indexOf(LF, lineStart);
    if (lf < 0) return { headerEnd: length, bodyStart: length };
    lineStart = lf + 1;
  }
  return { headerEnd: length, bodyStart: length };
}

/** Copies `bytes` with every bare LF turned into CRLF; returns the input itself when there is none. */
export function toCrlf(input: Uint8Array): { bytes: Uint8Array; changed: boolean } {
  const bytes = asBuffer(input);
  let bare = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) if (i === 0 || bytes[i - 1] !== CR) bare++;
  if (bare === 0) return { bytes: input, changed: false };
  const out = new Uint8Array(bytes.length + bare);
  let o = 0;
  let from = 0;
  for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    if (i > 0 && bytes[i - 1] === CR) continue;
    out.set(bytes.subarray(from, i), o);
    o += i - from;
    out[o++] = CR;
    out[o++] = LF;
    from = i + 1;
  }
  out.set(bytes.subarray(from), o);
  return { bytes: out, changed: true };
}

/**
 * Splits a header block into fields (RFC 5322 §2.2, §3.2.2). `block` is the bytes before the empty line,
 * CRLF or bare LF. A line that is neither a field nor a continuation is a syntax error, as is a block over the
 * limits.
 */
export function parseHeaderBlock(
  block: Uint8Array,
  limits: HeaderLimits = defaultHeaderLimits,
): ParseResult<ParsedHeader> {
  if (block.length > limits.maxHeaderBytes)
    return fail(
      'message.too-large',
      `header block is ${block.length} bytes, over the limit of ${limits.maxHeaderBytes}`,
    );
  const converted = toCrlf(block);
  const header = asBuffer(converted.bytes);
  const changed = converted.changed;
  const fields: HeaderField[] = [];
  const length = header.length;
  let pos = 0;
  let line = 1;
  while (pos < length) {
    const first = header[pos];
    if (first === SP || first === HT)
      return fail('message.header-syntax', 'header block starts with a continuation line', pos, line);
    // Field name: up to the colon on this line.
    let colon = -1;
    let i = pos;
    for (; i < length; i++) {
      const c = header[i] as number;
      if (c === COLON) {
        colon = i;
        break;
      }
      if (c === LF || c === CR) break;
    }
    if (colon <= pos) {
      const text = latin1Text(header.subarray(pos, Math.min(i, pos + 40)));
      return fail('message.header-syntax', `header line ${line} is not a field ("${text}")`, pos, line);
    }
    let nameEnd = colon;
    while (nameEnd > pos && (header[nameEnd - 1] === SP || header[nameEnd - 1] === HT)) nameEnd--;
    // Field end: a CRLF not followed by WSP (a fold), or the end of the block.
    let end = colon + 1;
    let next = length;
    for (;;) {
      const lf = header.indexOf(LF, end);
      if (lf < 0) {
        end = length;
        next = length;
        break;
      }
      line++;
      const after = header[lf + 1];
      if (after === SP || after === HT) {
        end = lf + 1;
        continue;
      }
      end = lf > 0 && header[lf - 1] === CR ? lf - 1 : lf;
      next = lf + 1;
      break;
    }
    if (fields.length >= limits.maxFields)
      return fail('message.too-many-fields', `more than ${limits.maxFields} header fields`, pos, line);
    fields.push({
      name: fieldName(header, pos, nameEnd),
      raw: header.subarray(pos, end),
      start: pos,
      valueOffset: colon + 1 - pos,
    });
    pos = next;
  }
  return { ok: true, value: { header, fields, bareLf: changed } };
}

/** A Buffer view of the same bytes: Buffer#indexOf is a native memchr, TypedArray#indexOf is much slower. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Field names most messages carry. A name read from the bytes is returned as one of these constant strings
 * when it matches (any case): no string is built, and later comparisons with literals are pointer checks.
 */
const KNOWN_NAMES: readonly string[] = [
  'from',
  'to',
  'cc',
  'bcc',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'received',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'dkim-signature',
  'authentication-results',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'received-spf',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'list-id',
  'x-mailer',
];

/** {@link KNOWN_NAMES} by length. */
const NAMES_BY_LENGTH: (string[] | undefined)[] = [];
for (const name of KNOWN_NAMES) (NAMES_BY_LENGTH[name.length] ??= []).push(name);

/** The field name `bytes[start, end)` in lower case. */
function fieldName(bytes: Uint8Array, start: number, end: number): string {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates !== undefined) {
    for (const name of candidates) {
      let i = 0;
      for (; start + i < end; i++) {
        const c = bytes[start + i] as number;
        if ((c >= 0x41 && c <= 0x5a ? c + 32 : c) !== name.charCodeAt(i)) break;
      }
      if (start + i === end) return name;
    }
  }
  return asciiLower(bytes, start, end);
}

function asciiLower(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return s;
}

function fail(code: string, message: string, offset?: number, line?: number): ParseResult<never> {
  const error: { code: string; message: string; offset?: number; line?: number } = { code, message };
  if (offset !== undefined) error.offset = offset;
  if (line !== undefined) error.line = line;
  return { ok: false, error };
}

/** Fields named `name` (any case), top to bottom. */
export function getFields(parsed: { fields: readonly HeaderField[] }, name: string): HeaderField[] {
  const wanted = name.toLowerCase();
  return parsed.fields.filter((f) => f.name === wanted);
}

/** The value bytes of a field (after the colon), folding included. */
export function fieldValueBytes(field: HeaderField): Uint8Array {
  return field.raw.subarray(field.valueOffset);
}

/**
 * The value as text, unfolded (RFC 5322 §2.2.3: CRLF before WSP removed), decoded as UTF-8 (RFC 6532) and
 * trimmed. For tag-lists whose offsets must match bytes, use `fieldValueLatin1`.
 */
export function fieldValue(field: HeaderField): string {
  return unfold(utf8Text(fieldValueBytes(field))).trim();
}

/**
 * Bytes decoded as UTF-8 (invalid sequences become U+FFFD). ASCII, nearly every header field, reads the same as
 * latin1, which Buffer decodes several times faster than a `TextDecoder` call.
 */
export function utf8Text(bytes: Uint8Array): string {
  return isAscii(bytes) ? latin1Text(bytes) : utf8.decode(bytes);
}

/** The value decoded one byte per character (offsets equal byte offsets), folding kept. */
export function fieldValueLatin1(field: HeaderField): string {
  return latin1Text(fieldValueBytes(field));
}

/**
 * Bytes as text, one character per byte (U+0000–U+00FF, ISO-8859-1): offsets in the text are offsets in the bytes.
 * Buffer's latin1 decoding maps every byte to the code point of its value (a `TextDecoder('latin1')` is
 * windows-1252 by the Encoding Standard) and is about twice as fast.
 */
export function latin1Text(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('latin1');
}

/** Removes the line breaks of folding (RFC 5322 §2.2.3). */
export function unfold(text: string): string {
  return text.indexOf('\n') < 0 ? text : text.replace(FOLDS, '');
}
