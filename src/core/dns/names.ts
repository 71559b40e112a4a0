import { domainToASCII } from 'node:url';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
// eslint-disable-next-line no-control-regex
const NOT_LDH_OR_DOT = /[\x00-\x2c\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]/;

/** A name ready to be put in a query, or why it cannot be. */
export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Brings a domain name into the form mailtrust queries: lower case, no trailing dot, non-ASCII labels converted
 * to A-labels (IDNA, RFC 5891 §4 via UTS #46 as WHATWG URL does), and checks the limits of RFC 1035 §2.3.4
 * (labels of 1–63 octets, at most 253 characters without the trailing dot). A name that breaks them cannot exist
 * in DNS, so callers treat it as non-existent (RFC 7208 §4.3).
 */
export function checkQueryName(input: string): NameCheck {
  const name = normalizeQueryName(input);
  if (NON_ASCII.test(name)) return { ok: false, reason: 'not a valid internationalized domain name' };
  if (name === '') return { ok: true, name };
  if (name.length > 253) return { ok: false, reason: 'name longer than 253 characters' };
  let labelStart = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name.charCodeAt(i) === 0x2e) {
      const length = i - labelStart;
      if (length === 0) return { ok: false, reason: 'empty label' };
      if (length > 63) return { ok: false, reason: 'label longer than 63 characters' };
      labelStart = i + 1;
    } else {
      const c = name.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) return { ok: false, reason: 'control character in name' };
    }
  }
  return { ok: true, name };
}

/**
 * A name as mailtrust keys it: lower case, without the trailing dot, non-ASCII labels as A-labels. Names with URL
 * delimiters are left as they are, because `domainToASCII` parses its input as a URL host and would cut `a/ü` to
 * `a`; such a name then fails {@link checkQueryName}.
 */
export function normalizeQueryName(name: string): string {
  if (NON_ASCII.test(name) && !NOT_LDH_OR_DOT.test(name)) {
    const bare = name.endsWith('.') ? name.slice(0, -1) : name;
    return (domainToASCII(bare) || bare).toLowerCase();
  }
  return lowerCaseName(name);
}

/**
 * A name as compared and keyed without IDNA: lower case (names compare case-insensitively, RFC 4343 §3), without
 * the trailing dot of its absolute form (RFC 1034 §3.1). Labels stay as written.
 */
export function lowerCaseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
