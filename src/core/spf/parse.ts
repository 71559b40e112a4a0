/**
 * The SPF record parser (RFC 7208 §4.5, §4.6, §5, §6, §12 ABNF). Pure and synchronous; every error is a
 * `permerror` cause that says which term is wrong and where it starts.
 */
import type { ParseResult } from '../parse-result.js';
import { parseIPv4, parseIPv6Number } from '../ip/address.js';
import { domainSpecProblem, parseMacroString } from './macro.js';
import type { MacroString, SpfMechanism, SpfModifier, SpfQualifier, SpfRecord } from './types.js';

/**
 * Whether a TXT string is an SPF record (RFC 7208 §4.5): it begins with `v=spf1` (case-insensitive), followed by
 * a space or the end. Anything else (`v=spf10`, `v=spf1mx`) is some other record and is ignored.
 */
export function isSpfRecord(txt: string): boolean {
  if (txt.length < 6) return false;
  // "v=spf1", any case (RFC 7208 §4.5), compared in place.
  for (let i = 0; i < 6; i++) {
    const c = txt.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c + 32 : c) !== SPF_VERSION.charCodeAt(i)) return false;
  }
  return txt.length === 6 || txt.charCodeAt(6) === 0x20;
}

const SPF_VERSION = 'v=spf1';

type TermResult = { ok: true; term: SpfMechanism | SpfModifier; isModifier: boolean } | { ok: false; error: string };

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A CIDR length: `"0" / %x31-39 0*N DIGIT` (no leading zeros), at most `max`. */
function parseCidrLength(digits: string, max: number): number | undefined {
  if (digits.length === 0 || digits.length > 3) return undefined;
  for (let i = 0; i < digits.length; i++) if (!isDigit(digits.charCodeAt(i))) return undefined;
  if (digits.length > 1 && digits[0] === '0') return undefined;
  const value = Number(digits);
  return value <= max ? value : undefined;
}

/** Index where a trailing run of digits starts (== text.length when there is none). */
function trailingDigitsStart(text: string, end: number): number {
  let i = end;
  while (i > 0 && isDigit(text.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * Splits `domain-spec dual-cidr-length` (RFC 7208 §5.3, §5.4): the CIDR part is `["/" ip4-cidr] ["//" ip6-cidr]`
 * at the very end; what comes before is the domain-spec (which may itself contain '/', e.g. `foo:bar/baz.com`).
 */
function splitDualCidr(
  text: string,
): { ok: true; domain: string; cidr4: number; cidr6: number } | { ok: false; error: string } {
  let end = text.length;
  let cidr6 = 128;
  let cidr4 = 32;
  let start = trailingDigitsStart(text, end);
  if (start < end && start >= 2 && text[start - 1] === '/' && text[start - 2] === '/') {
    const value = parseCidrLength(text.slice(start, end), 128);
    if (value === undefined) return { ok: false, error: `invalid IPv6 CIDR length '//${text.slice(start, end)}'` };
    cidr6 = value;
    end = start - 2;
  }
  start = trailingDigitsStart(text, end);
  if (start < end && start >= 1 && text[start - 1] === '/') {
    const value = parseCidrLength(text.slice(start, end), 32);
    if (value === undefined) return { ok: false, error: `invalid IPv4 CIDR length '/${text.slice(start, end)}'` };
    cidr4 = value;
    end = start - 1;
  }
  return { ok: true, domain: text.slice(0, end), cidr4, cidr6 };
}

function parseDomainSpec(text: string, offset: number): { ok: true; spec: MacroString } | { ok: false; error: string } {
  if (text === '') return { ok: false, error: 'empty domain-spec' };
  const parsed = parseMacroString(text, 'domain', offset);
  if (!parsed.ok) return { ok: false, error: parsed.error.message };
  const problem = domainSpecProblem(parsed.value);
  if (problem) return { ok: false, error: problem };
  return { ok: true, spec: parsed.value };
}

/** Parses one term (RFC 7208 §4.6.1: `directive / modifier`). `offset` is its position in the record. */
function parseTerm(text: string, offset: number): TermResult {
  // modifier = name "=" macro-string; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
  if (isAlpha(text.charCodeAt(0))) {
    let i = 1;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (isAlpha(c) || isDigit(c) || c === 0x2d || c === 0x5f || c === 0x2e) i++;
      else break;
    }
    if (text[i] === '=') {
      const name = text.slice(0, i).toLowerCase();
      const rawValue = text.slice(i + 1);
      if (name === 'redirect' || name === 'exp') {
        const spec = parseDomainSpec(rawValue, offset + i + 1);
        if (!spec.ok) return { ok: false, error: `${name}=: ${spec.error}` };
        return { ok: true, isModifier: true, term: { name, value: spec.spec, text, offset } };
      }
      const value = parseMacroString(rawValue, 'explanation', offset + i + 1);
      if (!value.ok || rawValue.includes(' '))
        return { ok: false, error: `modifier ${name}=: ${value.ok ? 'space in value' : value.error.message}` };
      return { ok: true, isModifier: true, term: { name, value: value.value, text, offset } };
    }
  }
  // directive = [ qualifier ] mechanism
  let qualifier: SpfQualifier = '+';
  let i = 0;
  const first = text[0];
  if (first === '+' || first === '-' || first === '~' || first === '?') {
    qualifier = first;
    i = 1;
  }
  const nameStart = i;
  while (i < text.length && (isAlpha(text.charCodeAt(i)) || isDigit(text.charCodeAt(i)))) i++;
  const name = text.slice(nameStart, i).toLowerCase();
  const rest = text.slice(i);
  const restOffset = offset + i;
  const base = { qualifier, text, offset };
  switch (name) {
    case 'all':
      if (rest !== '') return { ok: false, error: `'all' takes no argument` };
      return { ok: true, isModifier: false, term: { ...base, kind: 'all' } };
    case 'include':
    case 'exists': {
      if (!rest.startsWith(':')) return { ok: false, error: `'${name}' needs ':' and a domain-spec` };
      const spec = parseDomainSpec(rest.slice(1), restOffset + 1);
      if (!spec.ok) return { ok: false, error: spec.error };
      return { ok: true, isModifier: false, term: { ...base, kind: name, domain: spec.spec } };
    }
    case 'a':
    case 'mx': {
      if (rest !== '' && !rest.startsWith(':') && !rest.startsWith('/'))
        return { ok: false, error: `unexpected '${rest}' after '${name}'` };
      const split = splitDualCidr(rest.startsWith(':') ? rest.slice(1) : rest);
      if (!split.ok) return { ok: false, error: split.error };
      let domain: MacroString | undefined;
      if (rest.startsWith(':')) {
        const spec = parseDomainSpec(split.domain, restOffset + 1);
        if (!spec.ok) return { ok: false, error: spec.error };
        domain = spec.spec;
      } else if (split.domain !== '') return { ok: false, error: `invalid CIDR length '${rest}'` };
      return {
        ok: true,
        isModifier: false,
        term: { ...base, kind: name, domain, cidr4: split.cidr4, cidr6: split.cidr6 },
      };
    }
    case 'ptr': {
      if (rest === '') return { ok: true, isModifier: false, term: { ...base, kind: 'ptr', domain: undefined } };
      if (!rest.startsWith(':')) return { ok: false, error: `unexpected '${rest}' after 'ptr'` };
      const spec = parseDomainSpec(rest.slice(1), restOffset + 1);
      if (!spec.ok) return { ok: false, error: spec.error };
      return { ok: true, isModifier: false, term: { ...base, kind: 'ptr', domain: spec.spec } };
    }
    case 'ip4':
    case 'ip6': {
      if (!rest.startsWith(':')) return { ok: false, error: `'${name}' needs ':' and a network` };
      const body = rest.slice(1);
      const slash = body.indexOf('/');
      const address = slash < 0 ? body : body.slice(0, slash);
      const max = name === 'ip4' ? 32 : 128;
      let prefix = max;
      if (slash >= 0) {
        const value = parseCidrLength(body.slice(slash + 1), max);
        if (value === undefined) return { ok: false, error: `invalid CIDR length '${body.slice(slash)}'` };
        prefix = value;
      }
      if (name === 'ip4') {
        const value = parseIPv4(address);
        if (value === undefined) return { ok: false, error: `'${address}' is not an IPv4 address` };
        return { ok: true, isModifier: false, term: { ...base, kind: 'ip4', network: { family: 4, value }, prefix } };
      }
      const value = parseIPv6Number(address);
      if (value === undefined) return { ok: false, error: `'${address}' is not an IPv6 address` };
      return { ok: true, isModifier: false, term: { ...base, kind: 'ip6', network: { family: 6, value }, prefix } };
    }
    default:
      return {
        ok: false,
        error: name === '' ? `not a mechanism or modifier` : `unknown mechanism '${text.slice(nameStart, i)}'`,
      };
  }
}

/**
 * Parses an SPF record (RFC 7208 §4.5, §12). The whole record is checked before evaluation, so a syntax error
 * anywhere is a `permerror` (§4.6). Unknown modifiers are kept and ignored (§6); `redirect` and `exp` may each
 * appear once (§6).
 */
export function parseSpfRecord(txt: string): ParseResult<SpfRecord> {
  const fail = (offset: number, message: string): ParseResult<SpfRecord> => ({
    ok: false,
    error: { code: 'spf.permerror', message, offset },
  });
  if (!isSpfRecord(txt)) return fail(0, `not an SPF record: it must begin with 'v=spf1' (RFC 7208 §4.5)`);
  for (let i = 0; i < txt.length; i++) {
    const c = txt.charCodeAt(i);
    if (c < 0x20 || c > 0x7e)
      return fail(
        i,
        `character ${c > 0xffff ? 'U+' : '0x'}${c.toString(16)} at offset ${i}: SPF records are printable ASCII (RFC 7208 §3.1, §4.6.1)`,
      );
  }
  const record: SpfRecord = { text: txt, mechanisms: [], redirect: undefined, exp: undefined, otherModifiers: [] };
  let i = 6;
  while (i < txt.length) {
    while (i < txt.length && txt.charCodeAt(i) === 0x20) i++;
    if (i >= txt.length) break;
    let end = txt.indexOf(' ', i);
    if (end < 0) end = txt.length;
    const text = txt.slice(i, end);
    const term = parseTerm(text, i);
    if (!term.ok) return fail(i, `term '${text}' at offset ${i}: ${term.error}`);
    if (term.isModifier) {
      const modifier = term.term as SpfModifier;
      if (modifier.name === 'redirect' || modifier.name === 'exp') {
        if (record[modifier.name]) return fail(i, `'${modifier.name}=' appears more than once (RFC 7208 §6)`);
        record[modifier.name] = modifier;
      } else record.otherModifiers.push(modifier);
    } else record.mechanisms.push(term.term as SpfMechanism);
    i = end;
  }
  return { ok: true, value: record };
}

/** The DNS-querying terms of a record that count toward the limit of RFC 7208 §4.6.4. */
export function countsTowardLookupLimit(mechanism: SpfMechanism): boolean {
  switch (mechanism.kind) {
    case 'include':
    case 'a':
    case 'mx':
    case 'ptr':
    case 'exists':
      return true;
    case 'all':
    case 'ip4':
    case 'ip6':
      return false;
    default: {
      const unreachable: never = mechanism;
      return unreachable;
    }
  }
}
