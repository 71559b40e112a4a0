/**
 * Domain names as the checks compare them: lower case, A-labels (RFC 5890 §2.3.2.1), no trailing dot.
 */
import { domainToASCII } from 'node:url';
import { memoizeByText } from '../text-memo.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const ASCII_NAME = /^[a-z0-9_.-]+$/;
const DIGITS = /^[0-9]+$/;

/** Longest name in presentation form without the trailing dot (RFC 1035 §2.3.4: 255 octets on the wire). */
const MAX_NAME_LENGTH = 253;
/** Longest label (RFC 1035 §2.3.4). */
const MAX_LABEL_LENGTH = 63;

/** Whitespace (including Unicode spaces) or a control character anywhere in `text`. */
function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return /\s/u.test(text);
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Names already converted: a pure function of the name, and the same few names recur in every message. */
const convertKnown = memoizeByText((name) => convert(name), { maxEntries: 4096, maxKeyLength: 4 * MAX_NAME_LENGTH });

/**
 * The A-label form of a domain name (RFC 5890 §2.3.2.1), lower case, without one trailing dot; `undefined` when it
 * is not a usable domain name: empty, an empty label (leading dot, `..`), a label over 63 octets, a name over 253,
 * whitespace or a character IDNA (UTS #46) rejects, or an all-numeric last label (an IP address, RFC 3696 §2).
 *
 * U-labels (RFC 6532 addresses carry them) are converted with UTS #46 processing; A-labels are kept as written.
 * Underscores are allowed (`_dmarc`, `_domainkey` owner names are DNS names too).
 */
export function toAsciiDomain(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > 4 * MAX_NAME_LENGTH) return undefined;
  return convertKnown(name);
}

function convert(name: string): string | undefined {
  let text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (text.length === 0 || hasSpaceOrControl(text)) return undefined;
  // Reject empty labels before IDNA processing, which would let `a..b` through.
  if (text.split('.').some((label) => label.length === 0)) return undefined;
  if (hasNonAscii(text)) {
    // Full stops other than U+002E separate labels too (UTS #46 §2.3); domainToASCII maps them.
    text = domainToASCII(text);
    if (text.length === 0) return undefined;
  } else {
    text = text.toLowerCase();
    if (!ASCII_NAME.test(text)) return undefined;
  }
  if (text.length > MAX_NAME_LENGTH) return undefined;
  const labels = text.split('.');
  if (labels.some((label) => label.length === 0 || label.length > MAX_LABEL_LENGTH)) return undefined;
  const last = labels[labels.length - 1] ?? '';
  if (DIGITS.test(last)) return undefined;
  return text;
}
