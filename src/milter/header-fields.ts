/**
 * The header fields the milter removes and adds: which incoming fields are forged copies of ours (RFC 8601 §5),
 * how our own values are folded for the MTA, and the one-line reply text of a refusal (RFC 5321 §4.2).
 */

/** Fields named `X-Mailtrust-…` (any case) are ours alone: every incoming one is removed. */
export const OWN_FIELD_PREFIX = 'x-mailtrust-';

/**
 * The authserv-id of an `Authentication-Results` value (RFC 8601 §2.2: `[CFWS] authserv-id [CFWS authres-version]
 * ";" …`): comments and folding whitespace skipped, the id read up to whitespace, a comment or `;`. A quoted-string
 * id is unquoted. Undefined when there is none.
 */
export function authservIdOf(value: string): string | undefined {
  let at = skipCfws(value, 0);
  if (at >= value.length) return undefined;
  if (value[at] === '"') {
    let out = '';
    for (at++; at < value.length && value[at] !== '"'; at++) {
      if (value[at] === '\\' && at + 1 < value.length) at++;
      out += value[at];
    }
    return out;
  }
  const start = at;
  while (at < value.length && !/[\s;(]/.test(value[at] as string)) at++;
  return at > start ? value.slice(start, at) : undefined;
}

/** Skips whitespace and (nested) comments, RFC 5322 §3.2.2. */
function skipCfws(text: string, from: number): number {
  let at = from;
  let depth = 0;
  while (at < text.length) {
    const ch = text[at] as string;
    if (depth > 0) {
      if (ch === '\\') at++;
      else if (ch === '(') depth++;
      else if (ch === ')') depth--;
    } else if (ch === '(') depth = 1;
    else if (!/\s/.test(ch)) break;
    at++;
  }
  return at;
}

/**
 * True when an incoming `Authentication-Results` value claims our authserv-id (compared case-insensitively, as
 * domain names are). A longer name (`ours.example` against `ours`) is another host's and stays.
 */
export function claimsOurAuthservId(value: string, ours: string): boolean {
  const id = authservIdOf(value);
  if (id === undefined) return false;
  const strip = (name: string) => name.replace(/\.$/, '').toLowerCase();
  return strip(id) === strip(ours);
}

/**
 * Folds a header value for the milter protocol: lines joined by LF + TAB (the MTA writes CRLF; a CRLF here would
 * reach the message as CR CR LF), broken after `;` or at spaces so no line exceeds `width` where it can be helped
 * (RFC 5322 §2.2.3). The value is returned without the leading space.
 */
export function foldValue(name: string, value: string, width = 78): string {
  const words = value.split(/(?<=;) +| +(?=\S)/).filter((w) => w.length > 0);
  let out = '';
  let line = name.length + 2;
  for (const word of words) {
    if (out.length === 0) {
      out = word;
      line += word.length;
    } else if (line + 1 + word.length > width) {
      out += `\n\t${word}`;
      line = 8 + word.length;
    } else {
      out += ` ${word}`;
      line += 1 + word.length;
    }
  }
  return out;
}

/** Typographic characters that have a plain ASCII spelling. */
const ASCII_SPELLING: Record<string, string> = {
  '\u2014': '-',
  '\u2013': '-',
  '\u2012': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u2192': '->',
  '\u00d7': 'x',
  '\u2264': '<=',
  '\u2265': '>=',
};

/** Longest reply text we send: an SMTP reply line is at most 512 octets with its code (RFC 5321 §4.5.3.1.5). */
const MAX_REPLY_TEXT = 400;

/**
 * The text of an SMTP reply: printable US-ASCII on one line (RFC 5321 §4.2), typographic characters spelled in
 * ASCII, anything else as `?`, whitespace runs as one space, cut at a word to fit one reply line.
 */
export function replyText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0x20 && code <= 0x7e) out += ch;
    else if (ch === '\t' || ch === '\r' || ch === '\n') out += ' ';
    else out += ASCII_SPELLING[ch] ?? (code >= 0x80 ? stripAccent(ch) : '');
  }
  out = out.replace(/ {2,}/g, ' ').trim();
  if (out.length > MAX_REPLY_TEXT) {
    const cut = out.lastIndexOf(' ', MAX_REPLY_TEXT - 3);
    out = `${out.slice(0, cut > 0 ? cut : MAX_REPLY_TEXT - 3)}...`;
  }
  return out;
}

/** `é` → `e`; characters without an ASCII base letter become `?`. */
function stripAccent(ch: string): string {
  const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return /^[\x20-\x7e]+$/.test(base) ? base : '?';
}

/**
 * SMFIR_REPLYCODE text: `code enhanced text`, with `%` doubled because Sendmail reads the reply as a format string
 * (Postfix undoes the doubling).
 */
export function formatReplyCode(code: '550' | '451', enhanced: '5.7.1' | '4.7.0', text: string): string {
  return `${code} ${enhanced} ${replyText(text).replace(/%/g, '%%')}`;
}
