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
    while (pos < length) {
      const first = bytes[pos];
      let bodyStart = -1;
      if (first === LF) bodyStart = pos + 1;
      else if (first === CR) {
        if (pos + 1 >= length) break; // wait: CR alone may start CRLF
        if (bytes[pos + 1] === LF) bodyStart = pos + 2;
      }
      if (bodyStart >= 0) {
        this.append(bytes.subarray(0, pos));
        this.finishHeader(this.length);
        if (bodyStart < length) this.handlers.body(bytes.subarray(bodyStart));
        return;
      }
      const lf = bytes.indexOf(LF, pos);
      if (lf < 0) break;
      pos = lf + 1;
    }
    // No empty line yet: all of the chunk is header; the line at `pos` (if any) is not complete.
    const before = this.length;
    this.append(bytes);
    this.lineStart = before + pos;
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
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + chunk.length, 256));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length += chunk.length;
  }
}
