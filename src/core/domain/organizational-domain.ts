/**
 * The Organizational Domain of RFC 7489 §3.2, from the Public Suffix List (via the `tldts` package).
 *
 * Both sections of the list count: the ICANN section and the PRIVATE section (`github.io`, `uk.com`, …). A private
 * entry marks a boundary between independent registrants (`alice.github.io` and `bob.github.io` are different
 * owners), so treating it as a public suffix keeps one registrant's DKIM `d=` or MAIL FROM from aligning with
 * another's From. The official PSL test vectors assume the same (`uk.com` → null). See docs/dmarc.md.
 */
import { parse } from 'tldts';
import { memoizeByText } from '../text-memo.js';
import { toAsciiDomain } from './domain-name.js';
import { lowerCaseName } from '../dns/names.js';

const pslOptions = {
  allowIcannDomains: true,
  allowPrivateDomains: true,
  detectIp: false,
  extractHostname: false,
  validateHostname: false,
  mixedInputs: false,
} as const;

/**
 * The Organizational Domain of `name` (RFC 7489 §3.2): its public suffix plus one label. Returns it in the form of
 * the input — lower case, without a trailing dot, U-labels kept as U-labels — or `undefined` when `name` is not a
 * domain name or is itself a public suffix (`com`, `co.uk`, `github.io`).
 *
 * Names whose last label is not on the list fall under the PSL default rule `*` (`example.example` →
 * `example.example`), as RFC 7489 §3.2 step 3 and the PSL algorithm say.
 */
export function organizationalDomain(name: string): string | undefined {
  // Longer text is never a domain name (toAsciiDomain's bound); checking first keeps the memo's keys small.
  if (typeof name !== 'string' || name.length > MAX_INPUT_LENGTH) return undefined;
  return lookUpKnown(name);
}

/** Longer text is never a domain name (toAsciiDomain's bound). */
const MAX_INPUT_LENGTH = 4 * 253;

/** Answers already found: a pure function of the name and the built-in list (the same few names recur). */
const lookUpKnown = memoizeByText((name) => lookUp(name), { maxEntries: 4096, maxKeyLength: MAX_INPUT_LENGTH });

function lookUp(name: string): string | undefined {
  const ascii = toAsciiDomain(name);
  if (ascii === undefined) return undefined;
  const registrable = parse(ascii, pslOptions).domain;
  if (registrable === null || registrable.length === 0) return undefined;
  const keep = registrable.split('.').length;
  // Return the same labels in the caller's form (U-labels stay U-labels): the last `keep` labels of the input.
  const original = lowerCaseName(name).split('.');
  if (original.length !== ascii.split('.').length) return registrable;
  return original.slice(original.length - keep).join('.');
}

/** The Organizational Domain of an A-label name, or the name itself when it is a public suffix (or unlisted). */
export function organizationalDomainOrSelf(asciiName: string): string {
  return organizationalDomain(asciiName) ?? asciiName;
}
