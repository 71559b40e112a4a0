/**
 * What a HELO/EHLO argument is, by its text alone (RFC 5321 §2.3.5, §4.1.1.1, §4.1.3): a domain name, an address
 * literal, or something a receiver cannot trust. Pure.
 */
import { canonicalIPv6, parseIPv4 } from '../ip/address.js';
import { lowerCaseName } from '../dns/names.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const IPV6_PREFIX = /^ipv6:/i;
const DIGITS = /^[0-9]+$/;

/**
 * Top-level and second-level names reserved for special use (RFC 2606, RFC 6761 §6, RFC 6762 `.local`,
 * RFC 8375 `home.arpa`, ICANN's `.internal`) and the private suffixes routers and LANs invent (`.lan`, `.home`,
 * `.corp`, `.localdomain`). No public mail server has a name under them. (The second-level documentation names
 * `example.com/net/org` of RFC 2606 §3 do exist in DNS and are judged by their records like any other name.)
 */
export const SPECIAL_USE_SUFFIXES: readonly string[] = [
  'invalid',
  'test',
  'example',
  'localhost',
  'local',
  'localdomain',
  'lan',
  'home',
  'corp',
  'internal',
  'intranet',
  'private',
  'home.arpa',
];

export type HeloSyntax =
  | { kind: 'missing' }
  | { kind: 'address-literal'; address: string; valid: boolean }
  | { kind: 'bare-ip'; address: string }
  | { kind: 'localhost' }
  | { kind: 'special-use'; suffix: string }
  | { kind: 'not-fqdn'; reason: string }
  | { kind: 'domain'; name: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Classifies a HELO argument by its text. `name` of a domain is lower case without a trailing dot. */
export function classifyHelo(raw: string | undefined): HeloSyntax {
  const text = raw ?? '';
  let known = syntaxMemo.get(text);
  if (known === undefined) {
    known = classify(text);
    if (text.length <= MAX_MEMO_KEY_LENGTH) {
      if (syntaxMemo.size >= MAX_MEMO_ENTRIES) syntaxMemo.clear();
      syntaxMemo.set(text, known);
    }
  }
  // A copy: the caller owns what it is given.
  return { ...known };
}

/** Arguments already classified (pure; a client says the same HELO on every connection). Bounded. */
const syntaxMemo = new Map<string, HeloSyntax>();
const MAX_MEMO_ENTRIES = 4096;
/** Longer arguments (never a valid name: 253 characters at most) are classified every time, not kept. */
const MAX_MEMO_KEY_LENGTH = 600;

function classify(raw: string): HeloSyntax {
  const text = raw.trim();
  if (text === '') return { kind: 'missing' };
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1);
    const v6 = IPV6_PREFIX.test(inner) ? canonicalIPv6(inner.slice(5)) : undefined;
    if (v6) return { kind: 'address-literal', address: v6, valid: true };
    if (parseIPv4(inner) !== undefined) return { kind: 'address-literal', address: inner, valid: true };
    return { kind: 'address-literal', address: inner, valid: false };
  }
  if (parseIPv4(text) !== undefined) return { kind: 'bare-ip', address: text };
  const v6 = canonicalIPv6(text.replace(IPV6_PREFIX, ''));
  if (v6) return { kind: 'bare-ip', address: v6 };
  const name = lowerCaseName(text);
  if (name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain')
    return { kind: 'localhost' };
  const labels = name.split('.');
  if (labels.length < 2) return { kind: 'not-fqdn', reason: 'a single label, not a fully qualified domain name' };
  if (name.length > 253) return { kind: 'not-fqdn', reason: 'longer than 253 characters' };
  for (const label of labels) {
    if (!LABEL.test(label))
      return { kind: 'not-fqdn', reason: `label ${JSON.stringify(label)} is not a hostname label` };
  }
  if (DIGITS.test(labels.at(-1)!)) return { kind: 'not-fqdn', reason: 'the top-level label is numeric' };
  for (const suffix of SPECIAL_USE_SUFFIXES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return { kind: 'special-use', suffix };
  }
  return { kind: 'domain', name };
}
