/**
 * SPF macros (RFC 7208 §7): parsing macro-strings, checking domain-specs, expanding them, and turning the result
 * into a name to query (§4.8 truncation to 253 octets).
 */
import type { ParseResult } from '../parse-result.js';
import { dottedIpForm, formatIpAddress, type IpAddress } from '../ip/address.js';
import type { MacroLetter, MacroString, MacroToken } from './types.js';

/** Where a macro-string appears: a domain-spec/modifier (no `c r t`), or an explanation string (§6.2: also spaces). */
export type MacroContext = 'domain' | 'explanation';

const MACRO_LETTERS = 'slodipvhcrt';
const EXPLANATION_ONLY = 'crt';
const DELIMITERS = '.-+,/_=';
/** RFC 7208 §7.3: implementations must support at least 127 parts; more than that keeps them all. */
const MAX_RIGHT_PARTS = 128;

/**
 * Parses a macro-string (RFC 7208 §7.1). `offset` is where `text` starts in the record, for error positions.
 * Literal characters are visible ASCII except `%` (and space in explanation strings).
 */
export function parseMacroString(text: string, context: MacroContext, offset = 0): ParseResult<MacroString> {
  const tokens: MacroToken[] = [];
  let literal = '';
  let endsWithMacro = false;
  const fail = (at: number, message: string): ParseResult<MacroString> => ({
    ok: false,
    error: { code: 'spf.permerror', message, offset: offset + at },
  });
  const flush = () => {
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c !== 0x25) {
      const allowed = (c >= 0x21 && c <= 0x7e) || (c === 0x20 && context === 'explanation');
      if (!allowed) return fail(i, `character 0x${c.toString(16).padStart(2, '0')} not allowed in a macro-string`);
      literal += text[i];
      endsWithMacro = false;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      literal += next === '%' ? '%' : next === '_' ? ' ' : '%20';
      endsWithMacro = true;
      i += 2;
      continue;
    }
    if (next !== '{') return fail(i, `'%' must be followed by '{', '%', '_' or '-'`);
    // %{ letter *DIGIT ["r"] *delimiter }
    let j = i + 2;
    const letterChar = text[j] ?? '';
    const lower = letterChar.toLowerCase();
    if (letterChar === '' || !MACRO_LETTERS.includes(lower))
      return fail(j, `unknown macro letter '${letterChar}' (RFC 7208 §7.2)`);
    if (context === 'domain' && EXPLANATION_ONLY.includes(lower))
      return fail(j, `macro letter '${letterChar}' is only allowed in explanation strings (RFC 7208 §7.2)`);
    j++;
    let rightParts = 0;
    let digits = 0;
    while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) {
      rightParts = Math.min(rightParts * 10 + (text.charCodeAt(j) - 0x30), 100000);
      digits++;
      j++;
    }
    if (digits > 0 && rightParts === 0) return fail(j - 1, 'macro digit transformer must be at least 1');
    let reverse = false;
    if (text[j] === 'r' || text[j] === 'R') {
      reverse = true;
      j++;
    }
    let delimiters = '';
    while (j < text.length && DELIMITERS.includes(text[j] ?? '')) {
      if (!delimiters.includes(text[j] ?? '')) delimiters += text[j];
      j++;
    }
    if (text[j] !== '}') return fail(j, `macro not closed by '}'`);
    flush();
    tokens.push({
      kind: 'macro',
      letter: lower as MacroLetter,
      urlEncode: lower !== letterChar,
      rightParts: Math.min(rightParts, MAX_RIGHT_PARTS),
      reverse,
      delimiters: delimiters === '' ? '.' : delimiters,
    });
    endsWithMacro = true;
    i = j + 1;
  }
  flush();
  return { ok: true, value: { source: text, tokens, endsWithMacro } };
}

function isAlphaNum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * `toplabel` of RFC 7208 §7.1: `( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`,
 * i.e. letters, digits and inner dashes, not all digits unless it has a dash.
 */
export function isTopLabel(label: string): boolean {
  if (label.length === 0 || label.length > 63) return false;
  let hasLetter = false;
  let hasDash = false;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x2d) {
      if (i === 0 || i === label.length - 1) return false;
      hasDash = true;
    } else if (!isAlphaNum(c)) return false;
    else if (c >= 0x41) hasLetter = true;
  }
  return hasLetter || hasDash;
}

/**
 * Whether a parsed macro-string is a `domain-spec` (RFC 7208 §7.1): non-empty and ending in a macro-expand or in
 * `"." toplabel ["."]`.
 */
export function domainSpecProblem(spec: MacroString): string | undefined {
  if (spec.source === '') return 'empty domain-spec';
  if (spec.endsWithMacro) return undefined;
  const last = spec.tokens[spec.tokens.length - 1];
  if (!last || last.kind !== 'literal') return 'domain-spec must end in a macro or a top-level label';
  let text = last.text;
  if (text.endsWith('.')) text = text.slice(0, -1);
  const dot = text.lastIndexOf('.');
  if (dot < 0) return `domain-spec '${spec.source}' has no '.' before its top-level label`;
  const top = text.slice(dot + 1);
  if (!isTopLabel(top)) return `'${top}' is not a valid top-level label (RFC 7208 §7.1 toplabel)`;
  return undefined;
}

/** The values macros expand to (RFC 7208 §7.2). */
export interface MacroValues {
  /** `<sender>`: local-part@domain. */
  sender: string;
  localPart: string;
  senderDomain: string;
  /** `<domain>`: the domain currently evaluated. */
  domain: string;
  ip: IpAddress;
  helo: string;
  /** `%{p}`: the validated domain name of the client, or `unknown` (RFC 7208 §7.3). */
  validatedName: string;
  /** `%{r}`: the receiving host's name. */
  receiver: string;
  /** `%{t}`: seconds since the epoch. */
  timestamp: number;
}

function letterValue(letter: MacroLetter, values: MacroValues): string {
  switch (letter) {
    case 's':
      return values.sender;
    case 'l':
      return values.localPart;
    case 'o':
      return values.senderDomain;
    case 'd':
      return values.domain;
    case 'i':
      return dottedIpForm(values.ip);
    case 'p':
      return values.validatedName;
    case 'v':
      return values.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return values.helo;
    case 'c':
      return formatIpAddress(values.ip);
    case 'r':
      return values.receiver;
    case 't':
      return String(values.timestamp);
    default: {
      const unreachable: never = letter;
      return unreachable;
    }
  }
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const utf8 = new TextEncoder();

/** URL-encodes every character outside RFC 3986 `unreserved` (RFC 7208 §7.3, upper-case macro letters). */
export function urlEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Splits on any delimiter, reverses if asked, keeps the right-hand parts, joins with '.' (RFC 7208 §7.3). */
function transform(value: string, token: Extract<MacroToken, { kind: 'macro' }>): string {
  if (token.delimiters === '.' && !token.reverse && token.rightParts === 0) return value;
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i === value.length || token.delimiters.includes(value[i] ?? '')) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (token.reverse) parts.reverse();
  const kept = token.rightParts > 0 && token.rightParts < parts.length ? parts.slice(-token.rightParts) : parts;
  return kept.join('.');
}

/** True when the string uses `%{p}`, whose value needs DNS lookups before expanding. */
export function usesValidatedName(spec: MacroString): boolean {
  return spec.tokens.some((t) => t.kind === 'macro' && t.letter === 'p');
}

/** Expands a macro-string (RFC 7208 §7.3). Output is bounded by `maxLength` characters (the rest is dropped). */
export function expandMacroString(spec: MacroString, values: MacroValues, maxLength = 8192): string {
  let out = '';
  for (const token of spec.tokens) {
    if (token.kind === 'literal') out += token.text;
    else {
      const value = transform(letterValue(token.letter, values), token);
      out += token.urlEncode ? urlEncode(value) : value;
    }
    if (out.length > maxLength) return out.slice(0, maxLength);
  }
  return out;
}

/** A name ready to query, or why none can be formed. */
export type TargetName = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Turns an expanded domain-spec into a query name: drops one trailing dot, then, if it is longer than 253
 * characters, removes labels from the left until it fits (RFC 7208 §7.3). Names with an empty label or a label
 * over 63 characters cannot be queried (RFC 1035 §2.3.4); callers treat them as non-existent.
 */
export function targetName(expanded: string): TargetName {
  let name = expanded.endsWith('.') ? expanded.slice(0, -1) : expanded;
  while (name.length > 253) {
    const dot = name.indexOf('.');
    if (dot < 0) return { ok: false, reason: 'name longer than 253 characters' };
    name = name.slice(dot + 1);
  }
  const problem = nameProblem(name);
  return problem ? { ok: false, reason: problem } : { ok: true, name };
}

/** Why a name cannot be queried (empty, empty label, label over 63), or undefined. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name.length > 253) return 'name longer than 253 characters';
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name.charCodeAt(i) === 0x2e) {
      if (i === start) return 'empty label';
      if (i - start > 63) return 'label longer than 63 characters';
      start = i + 1;
    }
  }
  return undefined;
}
