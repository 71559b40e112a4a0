/**
 * Relaxed body canonicalization, RFC 6376 §3.4.4, as a plain loop over the bytes: the reference the WebAssembly
 * module (relaxed-body.wat, relaxed-kernel.ts) is tested against, and the canonicalizer where that module cannot
 * run. Line rules as in body-hash.ts: a bare LF ends a line as CRLF does, and a CR not followed by LF is an
 * ordinary byte.
 *
 * §3.4.4 in order: a run of WSP (SP, HTAB) becomes one SP; WSP at the end of a line is dropped; empty lines at the
 * end of the body are dropped. A run becomes SP only when content follows it on the line, and empty lines are
 * counted until content follows them, so both can wait for the next piece of the body.
 */

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

/** The line state between pieces of a body (also the WebAssembly module's globals while it runs). */
export interface RelaxedState {
  /** WSP seen since the last content byte (becomes one SP before the next content). */
  space: number;
  /** The current line has content. */
  content: number;
  /** A CR was the last byte (a line end if LF follows, else content). */
  cr: number;
  /** Empty lines not yet written (written before the next content; dropped at the end of the body). */
  blank: number;
}

/** Input bytes per pass of the loop: the output of one pass fits twice that plus the two bytes a state carries. */
export const LOOP_SLICE = 16384;

let scratch: Uint8Array | undefined;

/**
 * Canonicalizes `input` from `state` on, updating `state`, with the contract of `relaxChunk` (relaxed-kernel.ts):
 * canonical bytes go to `emit` (a view valid only during the call), and `blanks(n)` is called when `n` pending
 * empty lines must be written before the content that follows. The end of the body (a last line without CRLF,
 * empty lines left pending) is the caller's.
 */
export function relaxBodyLoop(
  state: RelaxedState,
  input: Uint8Array,
  emit: (bytes: Uint8Array) => void,
  blanks: (count: number) => void,
): void {
  // Each input byte writes at most two bytes (SP then the byte, or CRLF for LF), plus SP CR pending from before.
  const out = (scratch ??= new Uint8Array(2 * LOOP_SLICE + 2));
  let { space, content, cr, blank } = state;
  let o = 0;
  /** Content follows empty lines: what is written so far goes out, then the empty lines before the content. */
  const writePendingBlanks = () => {
    if (o > 0) emit(out.subarray(0, o));
    o = 0;
    blanks(blank);
    blank = 0;
  };
  for (let start = 0; start < input.length; start += LOOP_SLICE) {
    const end = Math.min(input.length, start + LOOP_SLICE);
    o = 0;
    for (let i = start; i < end; i++) {
      const c = input[i]!;
      if (c === LF) {
        if (content) {
          out[o++] = CR;
          out[o++] = LF;
        } else blank++;
        content = space = cr = 0;
        continue;
      }
      if (cr) {
        // The CR before this byte is not a line end: it is content.
        if (!content && blank) writePendingBlanks();
        if (space) out[o++] = SP;
        out[o++] = CR;
        content = 1;
        space = cr = 0;
      }
      if (c === CR) {
        cr = 1;
        continue;
      }
      if (c === SP || c === HT) {
        space = 1;
        continue;
      }
      if (!content && blank) writePendingBlanks();
      if (space) out[o++] = SP;
      out[o++] = c;
      content = 1;
      space = 0;
    }
    if (o > 0) emit(out.subarray(0, o));
  }
  state.space = space;
  state.content = content;
  state.cr = cr;
  state.blank = blank;
}
