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

export interface MessageSplitterHandlers {
  /** Called once, when the empty line is seen (or at `end()` for a message without one). */
  header: (header: ParseResult<ParsedHeader>) => void;
  /** Body bytes, in order, as they arrive. Never called before `header`. */
  body: (chunk: Uint8Array) => void;
}

export class MessageSplitter {
  /** Allocated on the first bytes, sized to the header (or to what has come of it). */
  private buffer = EMPTY;
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
    // The lines are found in the chunk itself (Buffer#indexOf is a native memchr). Only header bytes are
    // buffered: the body after the empty line is passed on without being copied.
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const length = bytes.length;
    let pos = 0;
    if (this.lineStart < this.length) {
      // A line begun in an earlier chunk: it is an empty line only if it is a lone CR and this chunk starts with LF.
      if (this.length - this.lineStart === 1 && this.buffer[this.lineStart] === CR) {
        if (length === 0) return;
        if (bytes[0] === LF) {
          this.finishHeader(this.lineStart);
          if (length > 1) this.handlers.body(bytes.subarray(1));
          return;
        }
      }
      const lf = bytes.indexOf(LF);
      if (lf < 0) {
        this.append(bytes);
        this.checkSize();
        return;
      }
      pos = lf + 1;
    }
    // `pos` is a line start: the header ends at the first empty line from here on (an LF followed by CRLF or LF, or
    // an empty line right at `pos`). Two native searches find it, however many lines the header has.
    const end = emptyLine(bytes, pos);
    if (end !== undefined) {
      this.append(bytes.subarray(0, end.headerEnd));
      this.finishHeader(this.length);
      if (end.bodyStart < length) this.handlers.body(bytes.subarray(end.bodyStart));
      return;
    }
    // No empty line yet: all of the chunk is header. The last line may not be complete (a lone CR at the end may
    // start the CRLF of an empty line).
    const lastLf = bytes.lastIndexOf(LF);
    const before = this.length;
    this.append(bytes);
    this.lineStart = before + (lastLf >= pos ? lastLf + 1 : pos);
    this.checkSize();
  }

  private checkSize(): void {
    if (this.length > this.limits.maxHeaderBytes) {
      this.done = true;
      this.buffer = EMPTY;
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
    this.handlers.header(parseHeaderBlock(block, this.limits));
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      // Not zero-filled (every byte read was written), and small sizes come from Node's buffer pool.
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + chunk.length, 256));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }
}

const LF_CRLF = Buffer.from('\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');

/**
 * The first empty line of `bytes` at or after the line start `from`: where it starts (the header's end) and where
 * the body starts after it; undefined when there is none (or only a CR that may start one in the next chunk).
 */
function emptyLine(bytes: Buffer, from: number): { headerEnd: number; bodyStart: number } | undefined {
  const length = bytes.length;
  if (from >= length) return undefined;
  const first = bytes[from];
  if (first === LF) return { headerEnd: from, bodyStart: from + 1 };
  if (first === CR && from + 1 < length && bytes[from + 1] === LF) return { headerEnd: from, bodyStart: from + 2 };
  const crlf = bytes.indexOf(LF_CRLF, from);
  // An LF LF counts only before the first LF CRLF (searching past it would scan the whole body).
  const lf = (crlf < 0 ? bytes : bytes.subarray(0, crlf + 2)).indexOf(LF_LF, from);
  if (lf >= 0) return { headerEnd: lf + 1, bodyStart: lf + 2 };
  if (crlf >= 0) return { headerEnd: crlf + 1, bodyStart: crlf + 3 };
  return undefined;
}
