/**
 * Lexical rules shared by the Authentication-Results parser and formatter (RFC 8601 §2.2, RFC 2045 §5.1 `value`,
 * RFC 5322 §3.2 `quoted-string`, RFC 5321 §4.1.2 `Ldh-str`).
 */

import { memoizeByText } from '../text-memo.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const KEYWORD = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
const QUOTE_OR_BACKSLASH = /(["\\])/g;
const ADDRESS_VALUE =
  /^(?:(?:[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*)?@)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `Keyword` = `Ldh-str` (RFC 5321 §4.1.2): letters, digits, hyphens, not ending in a hyphen. */
export function isKeyword(text: string): boolean {
  return keywordMemo(text);
}

/** Methods, results and property names repeat on every message: each text is tested once. */
const keywordMemo = memoizeByText((text: string) => KEYWORD.test(text), { maxEntries: 1024, maxKeyLength: 64 });

/** RFC 2045 `token`: printable US-ASCII except SPACE and tspecials `()<>@,;:\"/[]?=`. */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * `[ [ local-part ] "@" ] domain-name` (RFC 8601 §2.2 `pvalue`) with a dot-atom local part: written without
 * quotes, e.g. `smtp.mailfrom=user@example.com`. `domain-name` is RFC 6376's: LDH labels, no trailing dot.
 */
export function isAddressValue(text: string): boolean {
  return ADDRESS_VALUE.test(text);
}

/** A `quoted-string` holding `text`; control characters (not allowed in one) become spaces. */
export function quoteString(text: string): string {
  return `"${text.replace(CONTROLS, ' ').replace(QUOTE_OR_BACKSLASH, '\\$1')}"`;
}

/** A `value` (token / quoted-string), or a pvalue address, written the shortest valid way. */
export function formatValue(text: string, allowAddress: boolean): string {
  if (isToken(text)) return text;
  if (allowAddress && isAddressValue(text)) return text;
  return quoteString(text);
}
