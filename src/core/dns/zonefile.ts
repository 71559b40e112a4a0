/**
 * RFC 1035 §5.1 master files ("zone files"), the data behind `--zone FILE`: answers served offline, or tried
 * before publishing them.
 *
 * Supported: `$ORIGIN`, `$TTL` (RFC 2308 §4), `@`, relative and absolute names, a blank owner meaning the previous
 * owner, optional TTL and class in either order, BIND-style TTL units (`1h30m`, `2d`, `1w`), parentheses spanning
 * lines, `;` comments, quoted strings with `\"`, `\\`, `\X` and `\DDD` escapes, CRLF or LF line ends, and the
 * record types A, AAAA, TXT, SPF, MX, PTR, CNAME, NS and SOA (RFC 1035 §3.3, RFC 3596, RFC 4408 §3.1.1).
 *
 * Deliberately not supported, each with a clear error: `$INCLUDE` (an offline zone file must be self-contained, so
 * that what is checked is exactly the file given), `$GENERATE` and other BIND extensions, classes other than IN,
 * other record types, and an escaped `.` inside a label (names are stored as dotted text).
 *
 * Names come out absolute, lower case, without the trailing dot; labels of 1..63 octets, names of at most 253
 * octets as text (255 on the wire, RFC 1035 §2.3.4); non-ASCII labels become A-labels (RFC 5890). A TTL omitted on
 * a record is taken from `$TTL` (or `options.defaultTtl`), else from the last TTL stated (RFC 1035 §5.1), else, for
 * an SOA, its MINIMUM field. Identical records are kept once, as DNS servers do (an RRset is a set, RFC 2181 §5).
 */
import { domainToASCII } from 'node:url';
import type { ParseError, ParseResult } from '../parse-result.js';
import { canonicalIPv6, parseIPv4 } from '../ip/address.js';
import type { SoaData, ZoneRecord, ZoneRecordType } from './records.js';

/** Options of {@link parseZoneFile}. */
export interface ZoneFileOptions {
  /** The origin before any `$ORIGIN` (usually the zone's name); without it, relative names are an error. */
  origin?: string;
  /** The TTL of records without one, before any `$TTL`. */
  defaultTtl?: number;
  /**
   * Called for each record of a known type mailtrust does not read (CAA, SRV, TLSA, …), which is then skipped;
   * without it such a record is an error. For exported zones, which hold every type.
   */
  onSkippedType?: (type: string, line: number) => void;
}

/** Stable error codes of {@link parseZoneFile}. */
export type ZoneFileErrorCode =
  | 'zone.syntax'
  | 'zone.directive'
  | 'zone.include'
  | 'zone.name'
  | 'zone.ttl'
  | 'zone.class'
  | 'zone.type'
  | 'zone.rdata'
  | 'zone.conflict';

/** Largest TTL, RFC 2181 §8. */
const MAX_TTL = 0x7fffffff;
/** Largest character-string, RFC 1035 §3.3. */
const MAX_CHARACTER_STRING = 255;
/** Longest name as text without the trailing dot (255 octets on the wire), RFC 1035 §2.3.4. */
const MAX_NAME = 253;
const MAX_LABEL = 63;
/** Largest RDATA, RFC 1035 §3.2.1 (RDLENGTH is 16 bits). */
const MAX_RDATA = 0xffff;

const SUPPORTED_TYPES: ReadonlySet<string> = new Set<ZoneRecordType>([
  'A',
  'AAAA',
  'TXT',
  'SPF',
  'MX',
  'PTR',
  'CNAME',
  'NS',
  'SOA',
]);
/** Types a zone file may well hold that mailtrust does not read, named in the error. */
const OTHER_TYPES: ReadonlySet<string> = new Set(
  (
    'SRV CAA DS DNSKEY RRSIG NSEC NSEC3 NSEC3PARAM TLSA SSHFP HTTPS SVCB NAPTR HINFO LOC DNAME URI CERT OPENPGPKEY ' +
    'SMIMEA CDS CDNSKEY ZONEMD RP AFSDB WKS MB MG MR MINFO NULL KEY SIG NXT APL IPSECKEY DHCID HIP CSYNC EUI48 ' +
    'EUI64 X25 ISDN RT NSAP PX GPOS A6 MD MF KX TKEY TSIG ANY'
  )
    .split(' ')
    .filter((t) => t !== ''),
);

/**
 * Parses an RFC 1035 §5.1 master file into records. Pure; never throws for bad input: the first problem comes back
 * as an error with its 1-based line, e.g. `line 7: TXT string longer than 255 bytes (300 bytes)`.
 */
export function parseZoneFile(text: string, options: ZoneFileOptions = {}): ParseResult<ZoneRecord[]> {
  try {
    return { ok: true, value: new ZoneFileParser(options).parse(text) };
  } catch (error) {
    if (error instanceof ZoneFileError) return { ok: false, error: error.toParseError() };
    throw error;
  }
}

/** A problem found while parsing; caught in {@link parseZoneFile}, never escapes it. */
class ZoneFileError extends Error {
  override readonly name = 'ZoneFileError';
  constructor(
    readonly code: ZoneFileErrorCode,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(line === undefined ? detail : `line ${line}: ${detail}`);
  }

  toParseError(): ParseError {
    return this.line === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, line: this.line };
  }
}

/** A token of a master file: the raw text (escapes still in it; quotes removed) and where it starts. */
interface Token {
  text: string;
  quoted: boolean;
  line: number;
}

/** One logical entry: the tokens of a line, or of several lines joined by parentheses. */
interface Entry {
  line: number;
  /** The entry's line starts with white space: the owner is the previous one (RFC 1035 §5.1). */
  ownerBlank: boolean;
  tokens: Token[];
}

const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;
const CR = 13;
const QUOTE = 34;
const OPEN = 40;
const CLOSE = 41;
const SEMICOLON = 59;
const BACKSLASH = 92;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function isDelimiter(c: number): boolean {
  return isBlank(c) || c === NEWLINE || c === SEMICOLON || c === OPEN || c === CLOSE || c === QUOTE;
}

/** Splits a master file into entries (RFC 1035 §5.1): comments dropped, parentheses joining lines. Linear time. */
function* entries(text: string): Generator<Entry> {
  let line = 1;
  let depth = 0;
  let parenLine = 0;
  let lineStartsBlank = false;
  let current: Entry | undefined;
  const length = text.length;
  let i = 0;
  const entry = (): Entry => (current ??= { line, ownerBlank: lineStartsBlank, tokens: [] });

  lineStartsBlank = length > 0 && isBlank(text.charCodeAt(0));
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      if (depth === 0 && current) {
        yield current;
        current = undefined;
      }
      line++;
      i++;
      lineStartsBlank = i < length && isBlank(text.charCodeAt(i));
    } else if (isBlank(c)) {
      i++;
    } else if (c === SEMICOLON) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? length : end;
    } else if (c === OPEN) {
      if (depth > 0) throw new ZoneFileError('zone.syntax', line, `nested '(' (the '(' on line ${parenLine} is open)`);
      entry();
      depth = 1;
      parenLine = line;
      i++;
    } else if (c === CLOSE) {
      if (depth === 0) throw new ZoneFileError('zone.syntax', line, "')' without a matching '('");
      depth = 0;
      i++;
    } else if (c === QUOTE) {
      const start = i + 1;
      let j = start;
      for (;;) {
        if (j >= length || text.charCodeAt(j) === NEWLINE)
          throw new ZoneFileError('zone.syntax', line, "unterminated quoted string (a closing '\"' is missing)");
        const d = text.charCodeAt(j);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          if (j + 1 >= length || text.charCodeAt(j + 1) === NEWLINE)
            throw new ZoneFileError('zone.syntax', line, "'\\' at the end of a line");
          j += 2;
        } else j++;
      }
      entry().tokens.push({ text: text.slice(start, j), quoted: true, line });
      i = j + 1;
    } else {
      const start = i;
      let j = i;
      while (j < length) {
        const d = text.charCodeAt(j);
        if (d === BACKSLASH) {
          if (j + 1 >= length || text.charCodeAt(j + 1) === NEWLINE)
            throw new ZoneFileError('zone.syntax', line, "'\\' at the end of a line");
          j += 2;
        } else if (isDelimiter(d)) break;
        else j++;
      }
      entry().tokens.push({ text: text.slice(start, j), quoted: false, line });
      i = j;
    }
  }
  if (depth > 0) throw new ZoneFileError('zone.syntax', parenLine, "'(' is never closed with ')'");
  if (current) yield current;
}

const DIGIT = /^[0-9]$/;

/** Reads the `\DDD` or `\X` escape at `raw[i]` (a backslash): the code it stands for and the escape's length. */
function readEscape(raw: string, i: number, line: number): { code: number; length: number } {
  const next = raw[i + 1] ?? '';
  if (DIGIT.test(next)) {
    const digits = raw.slice(i + 1, i + 4);
    if (!/^[0-9]{3}$/.test(digits))
      throw new ZoneFileError('zone.syntax', line, `bad escape '\\${digits}': \\DDD takes three decimal digits`);
    const code = Number(digits);
    if (code > 255) throw new ZoneFileError('zone.syntax', line, `bad escape '\\${digits}': a byte is 0..255`);
    return { code, length: 4 };
  }
  const code = raw.codePointAt(i + 1) ?? 0;
  return { code, length: code > 0xffff ? 3 : 2 };
}

const utf8 = new TextEncoder();

/** A <character-string> (RFC 1035 §3.3, §5.1): the token's bytes with escapes decoded, at most 255 of them. */
function characterString(token: Token, type: string): Uint8Array {
  const raw = token.text;
  if (raw.indexOf('\\') < 0) {
    const bytes = utf8.encode(raw);
    checkStringLength(bytes.length, token, type);
    return bytes;
  }
  const bytes: number[] = [];
  let run = 0;
  const flush = (end: number) => {
    if (end > run) for (const b of utf8.encode(raw.slice(run, end))) bytes.push(b);
  };
  for (let i = 0; i < raw.length;) {
    if (raw.charCodeAt(i) !== BACKSLASH) {
      i++;
      continue;
    }
    flush(i);
    const escape = readEscape(raw, i, token.line);
    if (escape.length === 4 || escape.code < 0x80) bytes.push(escape.code);
    else for (const b of utf8.encode(String.fromCodePoint(escape.code))) bytes.push(b);
    i += escape.length;
    run = i;
    if (bytes.length > MAX_CHARACTER_STRING) checkStringLength(Infinity, token, type);
  }
  flush(raw.length);
  checkStringLength(bytes.length, token, type);
  return Uint8Array.from(bytes);
}

function checkStringLength(length: number, token: Token, type: string): void {
  if (length > MAX_CHARACTER_STRING)
    throw new ZoneFileError(
      'zone.rdata',
      token.line,
      `${type} string longer than ${MAX_CHARACTER_STRING} bytes${length === Infinity ? '' : ` (${length} bytes)`}; split it into several quoted strings`,
    );
}

/** Shortens text for an error message. */
function shown(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 37)}...` : clean;
}

/** Converts a label holding non-ASCII characters to its A-label(s) (RFC 5890 §2.3.2.1), or undefined. */
function toALabels(label: string): string[] | undefined {
  // domainToASCII parses a URL host: '/', '?' or '#' would end it early, so only letters, digits, '-' and '_'
  // may stand beside the non-ASCII characters.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]/.test(label)) return undefined;
  const ascii = domainToASCII(label);
  if (ascii === '') return undefined;
  const labels = ascii.split('.');
  return labels.every((l) => l !== '') ? labels : undefined;
}

/**
 * Reads a domain name as RFC 1035 §5.1 writes it: absolute with a trailing dot, else relative to `origin`.
 * Returns it absolute, lower case, without the trailing dot, after checking label and name lengths.
 */
function readName(token: Token, origin: string | undefined, what: string): string {
  const raw = token.text;
  const line = token.line;
  if (!token.quoted && raw === '@') {
    if (origin === undefined)
      throw new ZoneFileError('zone.name', line, `'@' used as ${what} but no origin is set (add $ORIGIN)`);
    return origin;
  }
  if (raw === '.') return '';
  if (raw === '') throw new ZoneFileError('zone.name', line, `empty ${what}`);
  if (raw.length > 4 * (MAX_NAME + 2))
    throw new ZoneFileError('zone.name', line, `${what} longer than ${MAX_NAME} octets`);
  const labels: string[] = [];
  let label = '';
  let nonAscii = false;
  let absolute = false;
  const endLabel = () => {
    if (label === '') throw new ZoneFileError('zone.name', line, `empty label in ${what} '${shown(raw)}'`);
    if (nonAscii) {
      const converted = toALabels(label);
      if (!converted)
        throw new ZoneFileError(
          'zone.name',
          line,
          `'${shown(label)}' in ${what} is not a valid internationalized label`,
        );
      labels.push(...converted);
    } else labels.push(label.toLowerCase());
    label = '';
    nonAscii = false;
  };
  for (let i = 0; i < raw.length;) {
    let code = raw.codePointAt(i) ?? 0;
    let length = code > 0xffff ? 2 : 1;
    if (code === 46 /* . */) {
      endLabel();
      i++;
      if (i === raw.length) absolute = true;
      continue;
    }
    let byteEscape = false;
    if (code === BACKSLASH) {
      const escape = readEscape(raw, i, line);
      code = escape.code;
      length = escape.length;
      byteEscape = escape.length === 4;
      if (code === 46)
        throw new ZoneFileError('zone.name', line, `escaped '.' inside a label of '${shown(raw)}' is not supported`);
    }
    if (code < 0x21 || code === 0x7f || (byteEscape && code > 0x7f))
      throw new ZoneFileError(
        'zone.name',
        line,
        `${what} '${shown(raw)}' holds a byte not allowed in a host or mail domain name (${code})`,
      );
    if (code > 0x7f) nonAscii = true;
    label += String.fromCodePoint(code);
    i += length;
  }
  if (label !== '') endLabel();
  for (const l of labels)
    if (l.length > MAX_LABEL)
      throw new ZoneFileError('zone.name', line, `label '${shown(l)}' in ${what} is longer than ${MAX_LABEL} octets`);
  let name = labels.join('.');
  if (!absolute) {
    if (origin === undefined)
      throw new ZoneFileError(
        'zone.name',
        line,
        `relative ${what} '${shown(raw)}' but no origin is set (end it with '.' or add $ORIGIN)`,
      );
    name = origin === '' ? name : `${name}.${origin}`;
  }
  if (name.length > MAX_NAME)
    throw new ZoneFileError('zone.name', line, `${what} '${shown(name)}' is longer than ${MAX_NAME} octets`);
  return name;
}

const TTL_PLAIN = /^[0-9]+$/;
/** BIND's units, every number with one (`1h30m`; `1h30` is refused, as dnspython does). */
const TTL_UNITS = /^([0-9]+[wdhms])+$/i;
const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

function looksLikeTtl(text: string): boolean {
  return TTL_PLAIN.test(text) || TTL_UNITS.test(text);
}

/** A TTL: seconds, or BIND units like `1h30m`; 0..2^31-1 (RFC 2181 §8). */
function readTtl(token: Token, what = 'TTL'): number {
  const text = token.text;
  let seconds = 0;
  if (!token.quoted && TTL_PLAIN.test(text)) seconds = Number(text);
  else if (!token.quoted && TTL_UNITS.test(text)) {
    for (const [, value, unit] of text.matchAll(/([0-9]+)([wdhms])/gi))
      seconds += Number(value) * (UNIT_SECONDS[(unit ?? 's').toLowerCase()] ?? 1);
  } else throw new ZoneFileError('zone.ttl', token.line, `bad ${what} '${shown(text)}'`);
  if (seconds > MAX_TTL)
    throw new ZoneFileError('zone.ttl', token.line, `${what} '${shown(text)}' is larger than ${MAX_TTL} seconds`);
  return seconds;
}

/** An unsigned integer of `bits` bits (MX preference: 16, SOA serial: 32). */
function readUnsigned(token: Token, bits: 16 | 32, what: string): number {
  const max = bits === 16 ? 0xffff : 0xffffffff;
  if (token.quoted || !TTL_PLAIN.test(token.text) || Number(token.text) > max)
    throw new ZoneFileError('zone.rdata', token.line, `bad ${what} '${shown(token.text)}' (0..${max})`);
  return Number(token.text);
}

const CLASS = /^(IN|CH|CS|HS|CLASS[0-9]+)$/i;

/** The parser's state across entries. */
class ZoneFileParser {
  private origin: string | undefined;
  /** `$TTL` (or `options.defaultTtl`). */
  private defaultTtl: number | undefined;
  /** The last TTL stated on a record (RFC 1035 §5.1). */
  private lastTtl: number | undefined;
  private lastOwner: string | undefined;
  private readonly records: ZoneRecord[] = [];
  private readonly seen = new Set<string>();
  /** Per owner name: the line of its CNAME and of its first other record, to enforce RFC 1034 §3.6.2. */
  private readonly owners = new Map<string, { cname?: number; other?: number }>();

  private readonly onSkippedType: ((type: string, line: number) => void) | undefined;

  constructor(options: ZoneFileOptions) {
    this.onSkippedType = options.onSkippedType;
    if (options.origin !== undefined) {
      const origin = options.origin === '' ? '.' : options.origin;
      const absolute = origin.endsWith('.') ? origin : `${origin}.`;
      try {
        this.origin = readName({ text: absolute, quoted: false, line: 0 }, undefined, 'origin');
      } catch (error) {
        if (error instanceof ZoneFileError)
          throw new ZoneFileError(error.code, undefined, `bad origin option: ${error.detail}`);
        throw error;
      }
    }
    if (options.defaultTtl !== undefined) {
      const ttl = options.defaultTtl;
      if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL)
        throw new ZoneFileError('zone.ttl', undefined, `bad default TTL ${ttl} (0..${MAX_TTL})`);
      this.defaultTtl = ttl;
    }
  }

  parse(text: string): ZoneRecord[] {
    // A byte order mark that an editor put before the first line is not part of it.
    for (const entry of entries(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)) {
      const first = entry.tokens[0];
      if (!first) continue;
      if (!entry.ownerBlank && !first.quoted && first.text.startsWith('$')) this.directive(entry, first);
      else this.record(entry);
    }
    return this.records;
  }

  /** `$ORIGIN` and `$TTL` (RFC 1035 §5.1, RFC 2308 §4); `$INCLUDE` and others are refused. */
  private directive(entry: Entry, first: Token): void {
    const name = first.text.toUpperCase();
    const args = entry.tokens.slice(1);
    switch (name) {
      case '$ORIGIN': {
        const arg = this.single(args, entry, '$ORIGIN takes one domain name');
        // A relative $ORIGIN is relative to the current origin (as in BIND); with none yet, it is taken as absolute.
        const absolute = this.origin === undefined && !arg.text.endsWith('.') ? { ...arg, text: `${arg.text}.` } : arg;
        this.origin = readName(absolute, this.origin, '$ORIGIN');
        return;
      }
      case '$TTL':
        this.defaultTtl = readTtl(this.single(args, entry, '$TTL takes one TTL'), '$TTL');
        return;
      case '$INCLUDE':
        throw new ZoneFileError(
          'zone.include',
          entry.line,
          '$INCLUDE is not supported: an offline zone file must be self-contained (paste the included records in)',
        );
      default:
        throw new ZoneFileError('zone.directive', entry.line, `unknown directive '${shown(first.text)}'`);
    }
  }

  private single(args: Token[], entry: Entry, message: string): Token {
    const arg = args[0];
    if (!arg || args.length > 1) throw new ZoneFileError('zone.directive', entry.line, message);
    return arg;
  }

  /** `[<owner>] [<TTL>] [<class>] <type> <RDATA>` with TTL and class in either order (RFC 1035 §5.1). */
  private record(entry: Entry): void {
    const tokens = entry.tokens;
    let k = 0;
    let owner: string;
    if (entry.ownerBlank) {
      if (this.lastOwner === undefined)
        throw new ZoneFileError('zone.name', entry.line, 'record without an owner name (no previous owner to repeat)');
      owner = this.lastOwner;
    } else {
      owner = readName(tokens[0] as Token, this.origin, 'owner name');
      k = 1;
    }
    this.lastOwner = owner;

    let ttl: number | undefined;
    let sawClass = false;
    for (let field = 0; field < 2; field++) {
      const token = tokens[k];
      if (!token || token.quoted) break;
      if (ttl === undefined && looksLikeTtl(token.text)) ttl = readTtl(token);
      else if (!sawClass && CLASS.test(token.text)) {
        if (token.text.toUpperCase() !== 'IN')
          throw new ZoneFileError('zone.class', token.line, `class ${shown(token.text)} is not supported (only IN)`);
        sawClass = true;
      } else break;
      k++;
    }

    const typeToken = tokens[k];
    if (!typeToken) throw new ZoneFileError('zone.type', entry.line, 'record type missing');
    const type = typeToken.text.toUpperCase();
    if (typeToken.quoted || !SUPPORTED_TYPES.has(type)) {
      const known = !typeToken.quoted && (OTHER_TYPES.has(type) || /^TYPE[0-9]+$/.test(type));
      if (known && this.onSkippedType) {
        this.onSkippedType(type, typeToken.line);
        this.lastOwner = owner;
        return;
      }
      if (known)
        throw new ZoneFileError(
          'zone.type',
          typeToken.line,
          `record type ${type} is not supported (mailtrust reads ${[...SUPPORTED_TYPES].join(', ')})`,
        );
      throw new ZoneFileError(
        'zone.type',
        typeToken.line,
        `expected a record type, TTL or class, got '${shown(typeToken.text)}'`,
      );
    }
    if (ttl !== undefined) this.lastTtl = ttl;
    const rdata = tokens.slice(k + 1);
    const record = this.rdata(owner, ttl ?? this.defaultTtl ?? this.lastTtl, type as ZoneRecordType, rdata, typeToken);
    this.add(record, entry.line);
  }

  private rdata(
    name: string,
    ttl: number | undefined,
    type: ZoneRecordType,
    rdata: Token[],
    typeToken: Token,
  ): ZoneRecord {
    const line = typeToken.line;
    const need = (count: number, fields: string): Token[] => {
      if (rdata.length !== count)
        throw new ZoneFileError(
          'zone.rdata',
          rdata[count]?.line ?? line,
          `${type} takes ${fields}, got ${rdata.length} field${rdata.length === 1 ? '' : 's'}`,
        );
      return rdata;
    };
    const withTtl = (soaMinimum?: number): number => {
      const value = ttl ?? soaMinimum;
      if (value === undefined)
        throw new ZoneFileError('zone.ttl', line, 'no TTL for this record (add $TTL or a TTL to the record)');
      return value;
    };
    switch (type) {
      case 'A': {
        const [token] = need(1, 'one IPv4 address') as [Token];
        if (token.quoted || parseIPv4(token.text) === undefined)
          throw new ZoneFileError('zone.rdata', token.line, `bad IPv4 address '${shown(token.text)}'`);
        return { name, ttl: withTtl(), type, address: token.text };
      }
      case 'AAAA': {
        const [token] = need(1, 'one IPv6 address') as [Token];
        const address = token.quoted ? undefined : canonicalIPv6(token.text);
        if (!address) throw new ZoneFileError('zone.rdata', token.line, `bad IPv6 address '${shown(token.text)}'`);
        return { name, ttl: withTtl(), type, address };
      }
      case 'TXT':
      case 'SPF': {
        if (rdata.length === 0) throw new ZoneFileError('zone.rdata', line, `${type} takes one or more strings`);
        // Each string costs its length byte at least; RDATA holds at most 65535 bytes (RFC 1035 §3.2.1).
        if (rdata.length > MAX_RDATA)
          throw new ZoneFileError('zone.rdata', line, `${type} record longer than ${MAX_RDATA} bytes`);
        const strings = rdata.map((token) => characterString(token, type));
        const size = strings.reduce((sum, s) => sum + 1 + s.length, 0);
        if (size > MAX_RDATA)
          throw new ZoneFileError('zone.rdata', line, `${type} record longer than ${MAX_RDATA} bytes (${size} bytes)`);
        return { name, ttl: withTtl(), type, strings };
      }
      case 'MX': {
        const [preference, exchange] = need(2, 'a preference and an exchange') as [Token, Token];
        const priority = readUnsigned(preference, 16, 'MX preference');
        return { name, ttl: withTtl(), type, priority, exchange: readName(exchange, this.origin, 'MX exchange') };
      }
      case 'PTR':
      case 'CNAME':
      case 'NS': {
        const [target] = need(1, 'one domain name') as [Token];
        return { name, ttl: withTtl(), type, target: readName(target, this.origin, `${type} target`) };
      }
      case 'SOA': {
        const fields = need(7, 'MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM') as [
          Token,
          Token,
          Token,
          Token,
          Token,
          Token,
          Token,
        ];
        const soa: SoaData = {
          mname: readName(fields[0], this.origin, 'SOA MNAME'),
          rname: readName(fields[1], this.origin, 'SOA RNAME'),
          serial: readUnsigned(fields[2], 32, 'SOA serial'),
          refresh: readTtl(fields[3], 'SOA refresh'),
          retry: readTtl(fields[4], 'SOA retry'),
          expire: readTtl(fields[5], 'SOA expire'),
          minimum: readTtl(fields[6], 'SOA minimum'),
        };
        return { name, ttl: withTtl(soa.minimum), type, soa };
      }
    }
  }

  /** Adds a record once (RFC 2181 §5), refusing a CNAME beside other data (RFC 1034 §3.6.2, RFC 2181 §10.1). */
  private add(record: ZoneRecord, line: number): void {
    const key = recordKey(record);
    if (this.seen.has(key)) {
      if (record.type === 'SOA')
        throw new ZoneFileError('zone.conflict', line, `second SOA at ${shownName(record.name)}`);
      return;
    }
    const owner = this.owners.get(record.name) ?? {};
    if (record.type === 'CNAME') {
      if (owner.cname !== undefined)
        throw new ZoneFileError(
          'zone.conflict',
          line,
          `second CNAME at ${shownName(record.name)} (the first is on line ${owner.cname})`,
        );
      if (owner.other !== undefined)
        throw new ZoneFileError(
          'zone.conflict',
          line,
          `CNAME at ${shownName(record.name)}, which has other records (line ${owner.other})`,
        );
      owner.cname = line;
    } else {
      if (owner.cname !== undefined)
        throw new ZoneFileError(
          'zone.conflict',
          line,
          `${record.type} at ${shownName(record.name)}, which has a CNAME (line ${owner.cname})`,
        );
      owner.other ??= line;
    }
    this.owners.set(record.name, owner);
    this.seen.add(key);
    this.records.push(record);
  }
}

function shownName(name: string): string {
  return name === '' ? 'the root' : shown(name);
}

/** Identity of a record for de-duplication: owner, type and RDATA (not TTL). */
function recordKey(record: ZoneRecord): string {
  const head = `${record.name} ${record.type}`;
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return `${head} ${record.address}`;
    case 'TXT':
    case 'SPF':
      return `${head} ${record.strings.map((s) => Array.from(s).join(',')).join(' ')}`;
    case 'MX':
      return `${head} ${record.priority} ${record.exchange}`;
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return `${head} ${record.target}`;
    case 'SOA':
      return `${head}`;
  }
}
