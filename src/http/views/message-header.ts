/**
 * The header section of a stored raw message, as text to show: everything before the first empty line (RFC 5322
 * §2.1), decoded as UTF-8 with replacement characters for bad bytes (RFC 6532 allows UTF-8 in header fields), and
 * cut at a bound so a huge header never makes a huge page. Untrusted text: the views escape it.
 */

/** The most header bytes a page shows. */
export const MAX_HEADER_BYTES = 64 * 1024;

export interface HeaderText {
  text: string;
  truncated: boolean;
}

/** Offset of the empty line ending the header (CRLF CRLF or LF LF), or -1. */
function headerEnd(raw: Uint8Array, limit: number): number {
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i;
  }
  return -1;
}

export function headerText(raw: Uint8Array): HeaderText {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES);
  const end = headerEnd(raw, limit);
  const stop = end === -1 ? limit : end;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(raw.subarray(0, stop)).replace(/\r\n/g, '\n');
  return { text, truncated: end === -1 && raw.length > MAX_HEADER_BYTES };
}
