/**
 * Splits a message that arrives in chunks (as an SMTP DATA stream does) into its header block, parsed once, and
 * body chunks passed on as they come (RFC 5322 §2.1). The header is buffered (bounded by the header limits);
 * the body is never buffered here.
 */
import type { ParseResult } from '../parse-result.js';
import { defaultHeaderLimits, parseHeaderBlock, type HeaderLimits, type ParsedHeader } from './header.js';

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);
const EMPTY_BUFFER = Buffer.alloc(0);

export interface MessageSplitterHandlers {
  /** Called once, when the empty line is seen (or at `end()` for a message without one). */
  header: (header: ParseResult<ParsedHeader>) => void;
  /** Body bytes, in order, as they arrive. Never called before `header`. */
  body: (chunk: Uint8Array) => void;
}

export class MessageSplitter {
  /** Allocated on the first bytes, sized to the header (or to what has come of it). */
  private buffer = EMPTY;
  /** A Buffer view of all of `buffer`, for searching. */
  private search = EMPTY_BUFFER;
  private length = 0;
  /** Start of the first line not yet known to be a complete, non-empty header line. */
  private lineStart = 0;
  private done = false;

  constructor(
    private readonly handlers: MessageSplitterHandlers,
    private readonly limits: HeaderLimits = defaultHeaderLimits,
  ) {}

  /** Feeds the next bytes of the message. */
  push(chunk: Uint8Array): void {
    if (this.done) {
      if (chunk.length > 0) this.handlers.body(chunk);
      return;
    }
    // Buffer only up to the first empty line the chunk shows (LF followed by CRLF or LF): the body after it is
    // passed on without being copied. The line loop below still decides where the header ends.
    const cut = headerEndCandidate(chunk);
    if (cut >= 0 && cut < chunk.length) {
      this.push(chunk.subarray(0, cut));
      this.push(chunk.subarray(cut));
      return;
    }
    this.append(chunk);
    const buf = this.buffer;
    while (this.lineStart < this.length) {
      const first = buf[this.lineStart];
      let bodyStart = -1;
      if (first === LF) bodyStart = this.lineStart + 1;
      else if (first === CR) {
        if (this.lineStart + 1 >= this.length) return; // wait: CR alone may start CRLF
        if (buf[this.lineStart + 1] === LF) bodyStart = this.lineStart + 2;
      }
      if (bodyStart >= 0) {
        this.finishHeader(this.lineStart);
        if (bodyStart < this.length) this.handlers.body(buf.subarray(bodyStart, this.length));
        return;
      }
      // Buffer#indexOf is a native memchr; bytes past `length` were never written (zero), so no LF is found there.
      const lf = this.search.indexOf(LF, this.lineStart);
      if (lf < 0 || lf >= this.length) break;
      this.lineStart = lf + 1;
    }
    if (this.length > this.limits.maxHeaderBytes) {
      this.done = true;
      this.handlers.header({
        ok: false,
        error: { code: 'message.too-large', message: `header block over ${this.limits.maxHeaderBytes} bytes` },
      });
    }
  }

  /** Marks the end of the message. A message without an empty line is all header. */
  end(): void {
    if (this.done) return;
    this.finishHeader(this.length);
  }

  private finishHeader(headerEnd: number): void {
    this.done = true;
    // The buffer is this splitter's own copy and is dropped here: the parsed header may keep a view of it.
    const block = this.buffer.subarray(0, headerEnd);
    this.buffer = EMPTY;
    this.search = EMPTY_BUFFER;
    this.handlers.header(parseHeaderBlock(block, this.limits));
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + chunk.length, 256));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.search = Buffer.from(grown.buffer, grown.byteOffset, grown.byteLength);
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }
}

const LF_CRLF = Buffer.from('\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');

/** The offset just past the first `LF CRLF` or `LF LF` in `chunk`, or -1 when it holds neither. */
function headerEndCandidate(chunk: Uint8Array): number {
  const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const crlf = bytes.indexOf(LF_CRLF);
  // An LF LF only matters before the first LF CRLF (searching past it would scan the whole body).
  const lf = (crlf < 0 ? bytes : bytes.subarray(0, crlf + 2)).indexOf(LF_LF);
  if (lf >= 0) return lf + 2;
  return crlf < 0 ? -1 : crlf + 3;
}
