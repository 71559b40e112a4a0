import { domainToASCII } from 'node:url';

/** A name ready to be put in a query, or why it cannot be. */
export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Brings a domain name into the form mailtrust queries: lower case, no trailing dot, non-ASCII labels converted
 * to A-labels (IDNA, RFC 5891 §4 via UTS #46 as WHATWG URL does), and checks the limits of RFC 1035 §2.3.4
 * (labels of 1–63 octets, at most 253 characters without the trailing dot). A name that breaks them cannot exist
 * in DNS, so callers treat it as non-existent (RFC 7208 §4.3).
 */
export function checkQueryName(input: string): NameCheck {
  let name = input.endsWith('.') ? input.slice(0, -1) : input;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii === '') return { ok: false, reason: 'not a valid internationalized domain name' };
    name = ascii;
  }
  name = name.toLowerCase();
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
      if (c <= 0x20 || c === 0x7f) return { ok: false, reason: 'control character or space in name' };
    }
  }
  return { ok: true, name };
}
