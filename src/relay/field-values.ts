/**
 * What a visitor or script may put into a relayed message, checked before anything is composed: values are refused,
 * never repaired, so that no visitor text reaches a header name, a second header field or an SMTP command
 * (RFC 5322 §2.2: a header field ends at CRLF; RFC 5321 §4.1.1: commands end at CRLF).
 */
import { toAsciiDomain } from '../core/index.js';

/** Why a value was refused. */
export type ValueProblem =
  | { code: 'control-character'; message: string }
  | { code: 'too-long'; message: string }
  | { code: 'invalid-address'; message: string };

/** Control characters: C0, DEL and C1, plus the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A multi-line value (the message text) may hold TAB, CR and LF, nothing else below U+0020. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/;

/** A value that lands in a header (name, subject, reply-to): no control character at all (CR, LF, NUL, TAB…). */
export function checkSingleLine(label: string, value: string, maxLength: number): ValueProblem | undefined {
  if (SINGLE_LINE_FORBIDDEN.test(value))
    return { code: 'control-character', message: `${label}: control characters (CR, LF, NUL…) are not allowed` };
  if (value.length > maxLength) return { code: 'too-long', message: `${label}: at most ${maxLength} characters` };
  return undefined;
}

/** A value that lands in the body: line breaks allowed, other control characters not. */
export function checkMultiLine(label: string, value: string, maxLength: number): ValueProblem | undefined {
  if (MULTI_LINE_FORBIDDEN.test(value))
    return {
      code: 'control-character',
      message: `${label}: control characters other than line breaks are not allowed`,
    };
  if (value.length > maxLength) return { code: 'too-long', message: `${label}: at most ${maxLength} characters` };
  return undefined;
}

/** RFC 5322 §3.2.3 atext. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * One mailbox as a bare addr-spec (RFC 5322 §3.4.1) with a dot-atom local part of at most 64 octets and a domain
 * name with at least two labels (RFC 5321 §4.5.3.1.1–2). No display name, no list, no comments, no quoted local
 * part: the value goes into Reply-To as it is, so nothing that needs quoting is accepted. Returns the address with
 * the domain in A-label form, lower case.
 */
export function parseMailbox(label: string, value: string): { ok: true; address: string } | ValueProblem {
  const bad = (): ValueProblem => ({ code: 'invalid-address', message: `${label}: not a single mail address` });
  const text = value.trim();
  if (SINGLE_LINE_FORBIDDEN.test(text)) return checkSingleLine(label, text, Infinity) as ValueProblem;
  if (text.length > 254) return bad();
  const at = text.lastIndexOf('@');
  if (at <= 0) return bad();
  const local = text.slice(0, at);
  const domainText = text.slice(at + 1);
  if (local.length > 64 || !DOT_ATOM.test(local)) return bad();
  if (!/^[^\s@<>()[\]",;:\\]+$/.test(domainText)) return bad();
  const domain = toAsciiDomain(domainText);
  if (domain === undefined || !domain.includes('.') || !/^[a-z0-9.-]+$/.test(domain)) return bad();
  return { ok: true, address: `${local}@${domain}` };
}
