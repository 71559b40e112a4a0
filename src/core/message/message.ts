/**
 * A whole message as bytes: the header block parsed once into fields, the body as a byte range (RFC 5322 §2.1).
 */
import type { ParseResult } from '../parse-result.js';
import {
  defaultHeaderLimits,
  findHeaderEnd,
  parseHeaderBlock,
  type HeaderLimits,
  type ParsedHeader,
} from './header.js';

/** A parsed message. The body is the input's bytes after the empty line, untouched (CRLF or bare LF). */
export interface ParsedMessage extends ParsedHeader {
  body: Uint8Array;
  /** True when the message had no empty line separating header and body (RFC 5322 §2.1 allows no body). */
  bodyMissing: boolean;
  /** Where the header starts in the input: after an mbox `From ` separator line (RFC 4155) when there is one, else 0. */
  headerOffset: number;
}

const encoder = new TextEncoder();

/**
 * Parses a message (RFC 5322 §2.1): header fields, then an empty line, then the body. Line ends may be CRLF or
 * bare LF. A leading mbox `From ` line is skipped (`headerOffset` says where the header starts). Fails only when the header block is not a list of fields (or is over the limits); an empty input or
 * a header without fields is a syntax error too.
 */
export function parseMessage(
  raw: Uint8Array | string,
  limits: HeaderLimits = defaultHeaderLimits,
): ParseResult<ParsedMessage> {
  const input = typeof raw === 'string' ? encoder.encode(raw) : raw;
  const headerOffset = mboxLineLength(input);
  const bytes = input.subarray(headerOffset);
  const { headerEnd, bodyStart } = findHeaderEnd(bytes);
  const header = parseHeaderBlock(bytes.subarray(0, headerEnd), limits);
  if (!header.ok) return header;
  if (header.value.fields.length === 0)
    return { ok: false, error: { code: 'message.no-header', message: 'the message has no header fields', offset: 0 } };
  return {
    ok: true,
    value: {
      header: header.value.header,
      fields: header.value.fields,
      bareLf: header.value.bareLf,
      body: bytes.subarray(bodyStart),
      bodyMissing: bodyStart === headerEnd,
      headerOffset,
    },
  };
}

/** Length of a leading mbox `From ` line (RFC 4155 §2), which saved messages sometimes carry; 0 when absent. */
function mboxLineLength(bytes: Uint8Array): number {
  // "From " — a field name cannot contain a space before its colon, so this is never a header field.
  if (bytes[0] !== 0x46 || bytes[1] !== 0x72 || bytes[2] !== 0x6f || bytes[3] !== 0x6d || bytes[4] !== 0x20) return 0;
  const lf = bytes.indexOf(0x0a);
  return lf < 0 ? 0 : lf + 1;
}

/** True for a parsed message (as opposed to raw bytes). */
export function isParsedMessage(value: unknown): value is ParsedMessage {
  return typeof value === 'object' && value !== null && 'fields' in value && 'body' in value && 'header' in value;
}

/** A message as given to the checks: already parsed, or bytes/text parsed now (RFC 5322 §2.1). */
export function readMessage(message: ParsedMessage | Uint8Array | string): ParseResult<ParsedMessage> {
  return isParsedMessage(message) ? { ok: true, value: message } : parseMessage(message);
}
