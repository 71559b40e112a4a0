/**
 * Header canonicalization (RFC 6376 §3.4.1 simple, §3.4.2 relaxed), header field selection (§5.4.2) and the
 * data the signature covers (§3.7 step 2). Works on the raw field bytes; nothing is re-parsed.
 */
import type { HeaderField } from '../message/header.js';
import type { Canonicalization } from './signature.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** A growable byte buffer for the signed data. */
export class ByteWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(initial = 1024) {
    this.buffer = new Uint8Array(initial);
  }

  /** Empties the writer, keeping its buffer (views handed out before are overwritten by the next writes). */
  reset(): this {
    this.length = 0;
    return this;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** Room for `extra` more bytes: the buffer to write them into, from `length` on (then advance `length`). */
  room(extra: number): Uint8Array {
    this.reserve(extra);
    return this.buffer;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** The bytes written so far (a view, valid until the next write). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * Writes one field in canonical form followed by CRLF (RFC 6376 §3.4.1, §3.4.2). `raw` is the field from its
 * name to the end of its value, folding included, without the final CRLF; `colon` is the colon's offset. The
 * bytes of `raw[omitStart, omitEnd)` (a signature's b= value, §3.7) are left out, as if they were not there.
 */
export function writeCanonicalField(
  out: ByteWriter,
  raw: Uint8Array,
  colon: number,
  canonicalization: Canonicalization,
  omitStart = raw.length,
  omitEnd = raw.length,
): void {
  if (canonicalization === 'simple') {
    if (omitStart >= omitEnd) out.bytes(raw);
    else {
      out.bytes(raw.subarray(0, omitStart));
      out.bytes(raw.subarray(omitEnd));
    }
    out.byte(CR);
    out.byte(LF);
    return;
  }
  // relaxed: name in lower case without WSP before the colon. The output is never longer than the input plus
  // CRLF, so it is written straight into the buffer.
  const buf = out.room(raw.length + 2);
  let o = out.length;
  let nameEnd = colon;
  while (nameEnd > 0 && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HT)) nameEnd--;
  for (let i = 0; i < nameEnd; i++) {
    const c = raw[i] as number;
    buf[o++] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
  }
  buf[o++] = COLON;
  // Value: unfold (drop CRLF), WSP runs to one SP, no WSP at either end.
  let space = false;
  let started = false;
  const length = raw.length;
  const skip = omitEnd > omitStart ? omitStart : -1;
  for (let i = colon + 1; i < length; i++) {
    const c = raw[i] as number;
    // Most bytes are visible characters: one test for them.
    if (c > SP && i !== skip) {
      if (space) {
        if (started) buf[o++] = SP;
        space = false;
      }
      started = true;
      buf[o++] = c;
      continue;
    }
    if (i === skip) {
      i = omitEnd - 1;
      continue;
    }
    if (c === SP || c === HT) {
      space = true;
      continue;
    }
    if (c === LF || (c === CR && raw[i + 1] === LF)) continue;
    if (space && started) buf[o++] = SP;
    space = false;
    started = true;
    buf[o++] = c;
  }
  buf[o++] = CR;
  buf[o++] = LF;
  out.length = o;
}

/**
 * Picks the fields h= names, bottom-up (RFC 6376 §5.4.2): each name takes the lowest instance not yet used;
 * a name with no instance left contributes nothing (that is what makes over-signing work). `exclude` is the
 * signature field being verified: it is hashed last in its own way (§3.7), never as one of the h= fields.
 */
export function selectSignedFields(
  fields: readonly HeaderField[],
  names: readonly string[],
  exclude?: HeaderField,
): HeaderField[] {
  // h= usually names a handful of fields: scanning the fields bottom-up per name allocates less than indexing
  // them. A long h= over many fields (hostile input) is indexed, so the work stays linear.
  if (names.length * fields.length > MAX_SCAN_WORK) return selectIndexed(fields, names, exclude);
  const used = new Map<string, number>();
  const selected: HeaderField[] = [];
  for (const name of names) {
    const skip = used.get(name) ?? 0;
    let seen = 0;
    let found: HeaderField | undefined;
    for (let i = fields.length - 1; i >= 0; i--) {
      const field = fields[i] as HeaderField;
      if (field.name !== name || field === exclude) continue;
      if (seen === skip) {
        found = field;
        break;
      }
      seen++;
    }
    if (found === undefined) continue;
    used.set(name, skip + 1);
    selected.push(found);
  }
  return selected;
}

const MAX_SCAN_WORK = 4096;

/** {@link selectSignedFields} by an index of the fields by name. */
function selectIndexed(
  fields: readonly HeaderField[],
  names: readonly string[],
  exclude: HeaderField | undefined,
): HeaderField[] {
  const byName = new Map<string, HeaderField[]>();
  for (const field of fields) {
    if (field === exclude) continue;
    const list = byName.get(field.name);
    if (list) list.push(field);
    else byName.set(field.name, [field]);
  }
  const used = new Map<string, number>();
  const selected: HeaderField[] = [];
  for (const name of names) {
    const list = byName.get(name);
    if (!list) continue;
    const count = used.get(name) ?? 0;
    if (count >= list.length) continue;
    used.set(name, count + 1);
    selected.push(list[list.length - 1 - count] as HeaderField);
  }
  return selected;
}

/**
 * The data the signature covers (RFC 6376 §3.7): the selected fields in canonical form, then the signature
 * field itself with the b= value removed and no final CRLF. `signatureRaw` is that field's raw bytes and
 * `bValue` the offsets of the b= value in them.
 */
export function signedData(
  selected: readonly HeaderField[],
  signatureRaw: Uint8Array,
  signatureColon: number,
  bValue: { start: number; end: number },
  canonicalization: Canonicalization,
  out: ByteWriter = new ByteWriter(1024),
): Uint8Array {
  for (const field of selected) writeCanonicalField(out, field.raw, field.valueOffset - 1, canonicalization);
  writeCanonicalField(out, signatureRaw, signatureColon, canonicalization, bValue.start, bValue.end);
  out.length -= 2; // no CRLF after the signature field (§3.7)
  return out.view();
}

/**
 * One writer for the verifiers' signed data, which they hash at once (synchronously) and never keep: pass
 * `verifyScratch.reset()` as `out` of {@link signedData}.
 */
export const verifyScratch = new ByteWriter(8192);
