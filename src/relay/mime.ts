/**
 * The MIME encodings the relay writes: RFC 2047 encoded-words for header text, RFC 2045 §6.7 quoted-printable for
 * bodies, and the RFC 5322 §3.3 date-time. Written here rather than taken from a mail library so that every byte the
 * relay stores is produced by code the tests read: the relay refuses bad input (see `field-values.ts`) instead of
 * relying on an encoder to neutralise it.
 */

const MAX_ENCODED_WORD = 75;

/** True when text can stand in a header as it is: printable US-ASCII and space only, and no "=?" that a reader
 * could take for the start of an encoded-word (RFC 2047 §5). */
export function isPlainHeaderText(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('=?');
}

/**
 * The text as RFC 2047 encoded-words (`=?UTF-8?B?…?=`, §4.1), each at most 75 characters (§2), separated by
 * folding white space (CRLF SP). Words split only between characters, never inside a UTF-8 sequence (§5 (3)).
 */
export function encodeWords(text: string): string {
  const prefix = '=?UTF-8?B?';
  const suffix = '?=';
  // Base64 of n bytes takes 4*ceil(n/3) characters: 45 bytes → 60 characters, 72 with the delimiters.
  const maxBytes = Math.floor((MAX_ENCODED_WORD - prefix.length - suffix.length) / 4) * 3;
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  for (const char of text) {
    const bytes = Buffer.from(char, 'utf8');
    if (size + bytes.length > maxBytes && size > 0) {
      words.push(prefix + Buffer.concat(chunk).toString('base64') + suffix);
      chunk = [];
      size = 0;
    }
    chunk.push(bytes);
    size += bytes.length;
  }
  if (size > 0 || words.length === 0) words.push(prefix + Buffer.concat(chunk).toString('base64') + suffix);
  return words.join('\r\n ');
}

/** A display name (RFC 5322 §3.4 `phrase`): a quoted-string when plain ASCII, else encoded-words (RFC 2047 §5 (3)). */
export function encodeDisplayName(name: string): string {
  if (isPlainHeaderText(name) && name.length <= 60) return `"${name.replace(/(["\\])/g, '\\$1')}"`;
  return encodeWords(name);
}

/** Unstructured header text (RFC 5322 §3.2.5, e.g. Subject): as it is when plain and short, else encoded-words. */
export function encodeUnstructured(text: string): string {
  if (isPlainHeaderText(text) && text.length <= 900) return text;
  return encodeWords(text);
}

function isLiteral(byte: number): boolean {
  // RFC 2045 §6.7 (2): 33–60 and 62–126 stand for themselves.
  return (byte >= 33 && byte <= 60) || (byte >= 62 && byte <= 126);
}

const HEX = '0123456789ABCDEF';

/**
 * Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks are CRLF: hard breaks kept, soft breaks ("=" at
 * the end) keep every encoded line within 76 characters (rule 5), white space before a line end encoded (rule 3).
 */
export function encodeQuotedPrintable(text: string): string {
  const lines = text.split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    let current = '';
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      const last = i === bytes.length - 1;
      const token =
        isLiteral(byte) || ((byte === 0x20 || byte === 0x09) && !last)
          ? String.fromCharCode(byte)
          : '=' + HEX[byte >> 4] + HEX[byte & 15];
      if (current.length + token.length > 75) {
        out.push(current + '=');
        current = '';
      }
      current += token;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC: `Sat, 05 Dec 2026 18:47:26 +0000`. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}
