/**
 * Body canonicalization and hashing, RFC 6376 §3.4.3 (simple), §3.4.4 (relaxed), §3.4.5 (l= body length),
 * §3.7 (bh=). Runs in one pass over bytes, fed in chunks of any size: the result does not depend on where the
 * chunks split. Bare LF is read as CRLF (message files on disk); a lone CR is an ordinary byte.
 *
 * Relaxed bodies go through the WebAssembly SIMD canonicalizer of relaxed-kernel.ts where the engine has it; the
 * JavaScript one here gives the same bytes. In it, lines whose canonical form equals their input are hashed straight
 * from the input (runs of whole lines in one `update`), so the common case copies nothing.
 */
import { createHash, type Hash } from 'node:crypto';
import { relaxChunk, relaxedKernelAvailable, type RelaxedState } from './relaxed-kernel.js';
import type { Canonicalization } from './signature.js';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const CRLF = new Uint8Array([CR, LF]);
const SPACE = new Uint8Array([SP]);
const CR_ONLY = new Uint8Array([CR]);
/** Empty lines written in one piece where many are pending. */
const CRLF_RUN_LINES = 1024;
const CRLF_RUN = new Uint8Array(2 * CRLF_RUN_LINES).map((_, i) => (i % 2 === 0 ? CR : LF));
const EMPTY = new Uint8Array(0);
/** Bytes gathered before one hash update: many small pieces cost one call into the hash, not one each. */
const STAGE_SIZE = 4096;
/** Pieces shorter than this are staged; longer ones go to the hash as they are (no copy). */
const STAGED_PIECE_MAX = 256;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export type BodyHashAlgorithm = 'sha256' | 'sha1';

/**
 * Which relaxed canonicalizer runs: `wasm` (the SIMD module of relaxed-kernel.ts, the default where WebAssembly
 * SIMD is available) or `js` (this file's). Both give the same bytes; `js` is there for engines without SIMD and so
 * that tests can hold the two against each other.
 */
export type RelaxedEngine = 'wasm' | 'js';

/** The body hash and the length of the whole canonical body (before any l= cut). */
export interface BodyHashResult {
  hash: Buffer;
  canonicalLength: number;
}

const PAIR_WINDOW = 32 * 1024;
const PAIR = 0x2020;

/**
 * Finds SP SP pairs for `relaxedLines`, a window of input at a time: the window is copied twice (at an even and an
 * odd byte offset) so that two native 16-bit searches for 0x2020 find every pair; the positions are then read in
 * order. About twice as fast as the word-at-a-time scan on text with many pairs. Callers ask with rising `from`.
 */
class SpacePairFinder {
  private readonly even = new Uint8Array(PAIR_WINDOW + 2);
  private readonly odd = new Uint8Array(PAIR_WINDOW + 2);
  private readonly found = new Int32Array(PAIR_WINDOW + 1);
  private count = 0;
  private index = 0;
  private windowStart = 0;
  /** Pairs starting in [windowStart, windowEnd) are in `found`. */
  private windowEnd = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private end = 0;

  reset(buf: Uint8Array, end: number): void {
    this.buf = buf;
    this.end = end;
    this.windowStart = this.windowEnd = 0;
    this.count = this.index = 0;
  }

  /** The first pair at or after `from` (both bytes before `end`), or -1. */
  next(from: number): number {
    for (;;) {
      if (from >= this.end - 1) return -1;
      if (from < this.windowStart || from >= this.windowEnd) this.fill(from);
      const found = this.found;
      while (this.index < this.count && (found[this.index] as number) < from) this.index++;
      if (this.index < this.count) return found[this.index] as number;
      from = this.windowEnd;
    }
  }

  private fill(from: number): void {
    const length = Math.min(PAIR_WINDOW + 1, this.end - from);
    this.even.set(this.buf.subarray(from, from + length));
    this.odd.set(this.buf.subarray(from + 1, from + length));
    const evenWords = new Uint16Array(this.even.buffer, 0, length >> 1);
    const oddWords = new Uint16Array(this.odd.buffer, 0, (length - 1) >> 1);
    // Merge the two sorted position lists.
    let e = evenWords.indexOf(PAIR);
    let o = oddWords.indexOf(PAIR);
    let n = 0;
    const found = this.found;
    while (e >= 0 || o >= 0) {
      if (o < 0 || (e >= 0 && 2 * e < 2 * o + 1)) {
        found[n++] = from + 2 * e;
        e = evenWords.indexOf(PAIR, e + 1);
      } else {
        found[n++] = from + 2 * o + 1;
        o = oddWords.indexOf(PAIR, o + 1);
      }
    }
    this.count = n;
    this.index = 0;
    this.windowStart = from;
    this.windowEnd = from + length - 1;
  }
}

/** One finder for every hasher: `relaxedLines` runs synchronously from reset to its last `next`. */
const sharedPairFinder = new SpacePairFinder();

/** Canonicalizes and hashes a body fed in chunks (RFC 6376 §3.4.3–§3.4.5, §3.7). */
export class BodyHasher {
  private readonly hash: Hash;
  /** Canonical bytes produced so far (all of them, also past the l= limit). */
  private total = 0;
  private pendingBlank = 0;
  /** Input offset where the pending empty lines start, when they are all plain CRLF in the current buffer. */
  private blankStart = -1;
  private carry: Uint8Array[] = [];
  private carryLength = 0;
  /**
   * Simple canonicalization only: the current line has content and its bytes so far are already hashed (all but a
   * last CR, which may start its CRLF and is the only byte carried). A body without line breaks is not kept.
   */
  private openLine = false;
  /** Small pieces are gathered here (allocated on first use) so that `update` is not called per byte. */
  private stage: Uint8Array | undefined;
  private staged = 0;
  private runBuffer: Uint8Array | undefined;
  private runStart = 0;
  private runEnd = 0;
  private finished = false;
  /** Line state of the WebAssembly canonicalizer, when it runs this (relaxed) body. */
  private readonly relaxed: RelaxedState | undefined;
  private readonly emitBytes = (bytes: Uint8Array) => this.emit(bytes);
  private readonly emitBlanks = (count: number) => {
    for (let left = count; left > 0; left -= CRLF_RUN_LINES)
      this.emit(CRLF_RUN.subarray(0, 2 * Math.min(left, CRLF_RUN_LINES)));
  };

  /**
   * @param canonicalization body canonicalization (c= second part)
   * @param algorithm hash algorithm of a= (sha256, or sha1 only to report it)
   * @param limit l= body length: only this many canonical bytes are hashed
   * @param engine the relaxed canonicalizer (default `wasm` where available)
   */
  constructor(
    readonly canonicalization: Canonicalization,
    algorithm: BodyHashAlgorithm = 'sha256',
    readonly limit?: number,
    engine: RelaxedEngine = 'wasm',
  ) {
    this.hash = createHash(algorithm);
    if (canonicalization === 'relaxed' && engine === 'wasm' && relaxedKernelAvailable())
      this.relaxed = { space: 0, content: 0, cr: 0, blank: 0 };
  }

  /** Feeds the next body bytes. The chunk may be reused by the caller afterwards. */
  update(input: Uint8Array): this {
    if (this.finished) throw new Error('BodyHasher: update after digest');
    if (this.relaxed) {
      relaxChunk(this.relaxed, input, this.emitBytes, this.emitBlanks);
      return this;
    }
    const chunk = asBuffer(input);
    let pos = 0;
    const length = chunk.length;
    if (length === 0) return this;
    if (this.carryLength > 0 || this.openLine) {
      const lf = chunk.indexOf(LF);
      if (lf < 0) {
        this.carry.push(copyOf(chunk, 0));
        this.carryLength += length;
        if (this.canonicalization === 'simple') this.spillOpenLine();
        return this;
      }
      const line = concat(this.carry, this.carryLength, chunk.subarray(0, lf + 1));
      this.carry = [];
      this.carryLength = 0;
      // The end of an open line whose content is all hashed: only its CRLF is left (a bare LF is read as CRLF).
      if (this.openLine && (line.length === 1 || (line.length === 2 && line[0] === CR))) this.emit(CRLF);
      else this.lines(line, 0, line.length);
      this.openLine = false;
      pos = lf + 1;
    }
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf >= pos) {
      this.lines(chunk, pos, lastLf + 1);
      pos = lastLf + 1;
    }
    if (pos < length) {
      this.carry.push(copyOf(chunk, pos));
      this.carryLength += length - pos;
      if (this.canonicalization === 'simple') this.spillOpenLine();
    }
    return this;
  }

  /**
   * Simple canonicalization leaves a line with content as it is (RFC 6376 §3.4.3): only empty lines at the end of
   * the body are changed. So once the carried part of a line holds content, it is hashed now rather than kept until
   * its LF, except a last CR (it may be the CR of CRLF; alone it would be an empty line).
   */
  private spillOpenLine(): void {
    const n = this.carryLength;
    const pending = this.carry.length === 1 ? this.carry[0]! : concat(this.carry, n, EMPTY);
    const keep = pending[n - 1] === CR ? 1 : 0;
    if (n - keep === 0) return;
    this.blankStart = -1;
    this.flushBlanks(0);
    this.emit(pending.subarray(0, n - keep));
    this.carry = keep ? [CR_ONLY.slice()] : [];
    this.carryLength = keep;
    this.openLine = true;
  }

  /** Ends the body and returns the hash (RFC 6376 §3.7 step 1). */
  digest(): BodyHashResult {
    if (this.finished) throw new Error('BodyHasher: digest called twice');
    if (this.relaxed) this.relaxedEnd(this.relaxed);
    if (this.carryLength > 0) {
      // A last line without CRLF: both canonicalizations add one (§3.4.3, §3.4.4).
      const line = concat(this.carry, this.carryLength, CRLF);
      this.carry = [];
      this.carryLength = 0;
      if (this.canonicalization === 'simple') this.lines(line, 0, line.length);
      else this.relaxedLastLine(line.subarray(0, line.length - 2));
    } else if (this.openLine) this.emit(CRLF);
    this.openLine = false;
    // Empty lines at the end are dropped (pendingBlank is discarded). A simple body that is empty becomes CRLF.
    if (this.canonicalization === 'simple' && this.total === 0) this.emit(CRLF);
    this.flushStage();
    this.finished = true;
    return { hash: this.hash.digest(), canonicalLength: this.total };
  }

  /**
   * The end of a body canonicalized by the WebAssembly module: a last line without CRLF gets one (§3.4.4 adds it
   * as its last step, so its trailing WSP becomes one SP rather than going, as in `relaxedLastLine`); a CR left
   * pending is content. Pending empty lines at the end are dropped.
   */
  private relaxedEnd(state: RelaxedState): void {
    if (state.cr) {
      if (!state.content) this.emitBlanks(state.blank);
      if (state.space) this.emit(SPACE);
      this.emit(CR_ONLY);
      state.cr = state.space = state.blank = 0;
      state.content = 1;
    }
    if (state.content || state.space) {
      if (!state.content) this.emitBlanks(state.blank);
      if (state.space) this.emit(SPACE);
      this.emit(CRLF);
    }
  }

  /** Processes whole lines: `buf[start, end)` ends with LF. */
  private lines(buf: Uint8Array, start: number, end: number): void {
    this.runBuffer = buf;
    this.runStart = this.runEnd = start;
    this.blankStart = this.pendingBlank > 0 ? -1 : start;
    if (this.canonicalization === 'relaxed') this.relaxedLines(buf, start, end);
    else this.simpleLines(buf, start, end);
    this.flushRun();
    this.runBuffer = undefined;
    // Pending empty lines cannot be copied from this buffer later.
    this.blankStart = -1;
  }

  private simpleLines(buf: Uint8Array, start: number, end: number): void {
    // Buffer#indexOf is a native memchr; TypedArray#indexOf is several times slower.
    const b = asBuffer(buf);
    let i = start;
    while (i < end) {
      const lf = b.indexOf(LF, i);
      const crlf = lf > i && b[lf - 1] === CR;
      const contentEnd = crlf ? lf - 1 : lf;
      if (contentEnd === i) {
        this.blank(i, crlf);
      } else {
        this.flushBlanks(i);
        if (crlf) this.input(i, lf + 1);
        else {
          this.input(i, lf);
          this.constant(CRLF);
        }
      }
      i = lf + 1;
    }
  }

  /**
   * Relaxed lines. Output differs from input only around a TAB, two SPs in a row, WSP before a line end, or a bare
   * LF. TABs are found with memchr, SP pairs with a word-at-a-time scan, line ends by looking at their last bytes;
   * between those places the input is hashed as it is (runs of input bytes, no byte loop). Only the WSP runs that
   * change are walked byte by byte.
   */
  private relaxedLines(buf: Uint8Array, start: number, end: number): void {
    const b = asBuffer(buf);
    const pairs = sharedPairFinder;
    pairs.reset(b, end);
    let tab = -2;
    let pair = -2;
    let i = start;
    while (i < end) {
      const lf = b.indexOf(LF, i);
      const crlf = lf > i && b[lf - 1] === CR;
      const contentEnd = crlf ? lf - 1 : lf;
      // §3.4.4: WSP at the end of the line is removed.
      let ce = contentEnd;
      let c = b[ce - 1];
      while (ce > i && (c === SP || c === HT)) c = b[--ce - 1];
      if (ce === i) {
        this.blank(i, crlf && lf === i + 1);
        i = lf + 1;
        continue;
      }
      this.flushBlanks(i);
      if (tab !== -1 && tab < i) tab = b.indexOf(HT, i);
      if (pair !== -1 && pair < i) pair = pairs.next(i);
      let seg = i;
      // Every other WSP run that is not a single SP becomes one SP: those start at a TAB or an SP pair.
      while ((tab >= 0 && tab < ce) || (pair >= 0 && pair < ce)) {
        const at = tab >= 0 && tab < ce && (pair < 0 || tab < pair) ? tab : pair;
        let runStart = at;
        while (runStart > seg && b[runStart - 1] === SP) runStart--;
        let runEnd = at + 1;
        c = b[runEnd];
        while (c === SP || c === HT) c = b[++runEnd];
        if (b[runStart] === SP) this.input(seg, runStart + 1);
        else {
          this.input(seg, runStart);
          this.constant(SPACE);
        }
        seg = runEnd;
        if (tab >= 0 && tab < runEnd) tab = b.indexOf(HT, runEnd);
        if (pair >= 0 && pair < runEnd) pair = pairs.next(runEnd);
      }
      if (crlf && ce === contentEnd) this.input(seg, lf + 1);
      else {
        this.input(seg, ce);
        this.constant(CRLF);
      }
      i = lf + 1;
    }
    pairs.reset(EMPTY, 0);
  }

  /**
   * Relaxed, a last line without CRLF: §3.4.4 adds the CRLF as its last step, so WSP at the end of this line is
   * reduced to one SP but not removed, and a line of WSP alone is not empty (as dkimpy reads it too).
   */
  private relaxedLastLine(line: Uint8Array): void {
    const out = new Uint8Array(line.length + 2);
    let o = 0;
    let space = false;
    for (const c of line) {
      if (c === SP || c === HT) {
        space = true;
        continue;
      }
      if (space) out[o++] = SP;
      space = false;
      out[o++] = c;
    }
    if (space) out[o++] = SP;
    out[o++] = CR;
    out[o++] = LF;
    this.blankStart = -1;
    this.flushBlanks(0);
    this.emit(out.subarray(0, o));
  }

  private blank(lineStart: number, plainCrlf: boolean): void {
    if (this.pendingBlank === 0) this.blankStart = plainCrlf ? lineStart : -1;
    else if (!plainCrlf) this.blankStart = -1;
    this.pendingBlank++;
  }

  /** Emits the empty lines seen before a line with content that starts at `lineStart`. */
  private flushBlanks(lineStart: number): void {
    if (this.pendingBlank === 0) return;
    if (this.blankStart >= 0) this.input(this.blankStart, lineStart);
    else for (let n = 0; n < this.pendingBlank; n++) this.constant(CRLF);
    this.pendingBlank = 0;
    this.blankStart = -1;
  }

  /** Canonical output equal to input bytes [start, end) of the current buffer. */
  private input(start: number, end: number): void {
    if (end <= start) return;
    if (start === this.runEnd) {
      this.runEnd = end;
      return;
    }
    this.flushRun();
    this.runStart = start;
    this.runEnd = end;
  }

  private constant(bytes: Uint8Array): void {
    this.flushRun();
    this.emit(bytes);
  }

  private flushRun(): void {
    const run = this.runBuffer;
    // A plain Uint8Array view: cheaper to make than Buffer#subarray's Buffer, and all that hashing needs.
    if (this.runEnd > this.runStart && run)
      this.emit(new Uint8Array(run.buffer, run.byteOffset + this.runStart, this.runEnd - this.runStart));
    this.runStart = this.runEnd;
  }

  private emit(bytes: Uint8Array): void {
    let piece = bytes;
    if (this.limit !== undefined) {
      const room = this.limit - this.total;
      this.total += bytes.length;
      if (room <= 0) return;
      if (piece.length > room) piece = piece.subarray(0, room);
    } else this.total += bytes.length;
    if (piece.length < STAGED_PIECE_MAX) {
      if (this.staged + piece.length > STAGE_SIZE) this.flushStage();
      this.stage ??= new Uint8Array(STAGE_SIZE);
      this.stage.set(piece, this.staged);
      this.staged += piece.length;
      return;
    }
    this.flushStage();
    this.hash.update(piece);
  }

  private flushStage(): void {
    if (this.staged === 0 || !this.stage) return;
    this.hash.update(this.stage.subarray(0, this.staged));
    this.staged = 0;
  }
}

/**
 * Offset of the first of two SPs in a row in `b[from, to)`, or -1. Reads four bytes at a time (a SWAR test for
 * bytes equal to SP), several times faster than a byte loop in JavaScript.
 */
export function nextSpacePair(b: Uint8Array, from: number, to: number): number {
  let j = from;
  if (littleEndian && to - from >= 16) {
    const base = b.byteOffset;
    // Bytes up to a 4-byte boundary one at a time.
    while (j < to && ((base + j) & 3) !== 0) {
      if (b[j] === SP && b[j + 1] === SP && j + 1 < to) return j;
      j++;
    }
    const words = new Uint32Array(b.buffer, base + j, (to - j) >> 2);
    let carry = j > from && b[j - 1] === SP ? 0x80 : 0;
    for (let k = 0; k < words.length; k++) {
      const t = (words[k] as number) ^ 0x20202020;
      const z = ~(((t & 0x7f7f7f7f) + 0x7f7f7f7f) | t) & 0x80808080; // 0x80 in each byte equal to SP
      if (z === 0) {
        carry = 0;
        continue;
      }
      if ((z & ((z << 8) | carry)) !== 0) {
        // A pair ends in this word; find its first byte (it may start in the previous word).
        const at = j + (k << 2);
        for (let q = Math.max(from, at - 1); q < at + 4; q++) if (b[q] === SP && b[q + 1] === SP) return q;
      }
      carry = (z >>> 24) & 0x80;
    }
    j += words.length << 2;
    if (j > from) j--; // a pair may straddle into the tail
  }
  for (; j + 1 < to; j++) if (b[j] === SP && b[j + 1] === SP) return j;
  return -1;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy of `bytes[from…]` (Buffer#slice would be a view, and the caller may reuse its chunk). */
function copyOf(bytes: Uint8Array, from: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, from);
}

function concat(parts: Uint8Array[], length: number, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(length + tail.length);
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  out.set(tail, o);
  return out;
}

/**
 * Body hashers shared by several verifiers of one message (DKIM and ARC): one hasher per canonicalization and l=
 * (sha256), fed once by the owner, digested once however many verifiers ask.
 */
export class BodyHashSet {
  private readonly hashers = new Map<string, BodyHasher>();
  private readonly digests = new Map<BodyHasher, BodyHashResult>();

  /** The shared hasher for `canonicalization` and `limit` (created on first use). */
  hasher(canonicalization: Canonicalization, limit?: number): BodyHasher {
    const key = `${canonicalization}:${limit ?? ''}`;
    let hasher = this.hashers.get(key);
    if (!hasher) {
      hasher = new BodyHasher(canonicalization, 'sha256', limit);
      this.hashers.set(key, hasher);
    }
    return hasher;
  }

  /** Feeds the next body bytes to every hasher. */
  update(chunk: Uint8Array): void {
    for (const hasher of this.hashers.values()) hasher.update(chunk);
  }

  /** The body hash of one of this set's hashers, computed on first request. */
  digest(hasher: BodyHasher): BodyHashResult {
    let result = this.digests.get(hasher);
    if (!result) {
      result = hasher.digest();
      this.digests.set(hasher, result);
    }
    return result;
  }
}

/** Hashes a whole body at once. */
export function hashBody(
  body: Uint8Array,
  canonicalization: Canonicalization,
  algorithm: BodyHashAlgorithm = 'sha256',
  limit?: number,
  engine: RelaxedEngine = 'wasm',
): BodyHashResult {
  return new BodyHasher(canonicalization, algorithm, limit, engine).update(body).digest();
}
