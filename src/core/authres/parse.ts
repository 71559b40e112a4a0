/**
 * Reading Authentication-Results (RFC 8601 §2.2) and ARC-Authentication-Results (RFC 8617 §4.1.1) values.
 *
 * Strict where it matters — the authserv-id, `method=result` pairs, property names — and tolerant where real
 * headers differ from the ABNF: property values may be any run of characters up to whitespace, `;` or `(`
 * (`header.b=ab/c+d=`), a bare `name=value` after the method (`action=none`) is kept with an empty ptype, and
 * `reason=` is accepted among the properties. Comments are skipped. Method, result, ptype and property names
 * are returned in lower case.
 */
import type { ParseResult } from '../parse-result.js';
import type { ArcAuthenticationResults, AuthenticationResults, AuthResEntry } from './types.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const DIGIT = /[0-9]/;

/** Bounds for hostile input. */
export interface AuthResParseLimits {
  /** Longest value accepted, in characters (default 65536). */
  maxLength: number;
  /** Most results (default 256). */
  maxResults: number;
  /** Most properties per result (default 64). */
  maxProperties: number;
}

export const defaultAuthResParseLimits: Readonly<AuthResParseLimits> = Object.freeze({
  maxLength: 65_536,
  maxResults: 256,
  maxProperties: 64,
});

const MAX_COMMENT_DEPTH = 64;

const KEYWORD = /[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/y;
const DIGITS = /[0-9]{1,9}/y;
/** A property value written without quotes: anything up to whitespace, `;`, `(` or `"`. */
const LOOSE_VALUE = /[^\s;("]+/y;
/** RFC 2045 token, with UTF-8 allowed (RFC 6532). */
// eslint-disable-next-line no-control-regex
const AUTHSERV_TOKEN = /[^\s;()<>@,:\\"/[\]?=\u0000-\u001f\u007f]+/y;

class AuthResSyntaxError extends Error {
  override readonly name = 'AuthResSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
    readonly code: 'authres.syntax' | 'authres.too-many-results' | 'authres.too-long' = 'authres.syntax',
  ) {
    super(message);
  }
}

class Scanner {
  position = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  fail(message: string): never {
    throw new AuthResSyntaxError(message, this.position);
  }

  /** CFWS (RFC 5322 §3.2.2): whitespace, line breaks of folding, and nested comments. */
  skipCfws(): void {
    while (!this.done) {
      const ch = this.peek();
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
        this.position++;
      } else if (ch === '(') {
        const start = this.position;
        let depth = 0;
        do {
          const c = this.peek();
          if (c === '\\') this.position++;
          else if (c === '(') {
            if (++depth > MAX_COMMENT_DEPTH) this.fail('comments nested too deeply');
          } else if (c === ')') depth--;
          this.position++;
        } while (depth > 0 && !this.done);
        if (depth > 0) throw new AuthResSyntaxError('unterminated comment', start);
      } else {
        return;
      }
    }
  }

  /** Consumes `ch` if it comes next. */
  accept(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.position++;
    return true;
  }

  expect(ch: string, what: string): void {
    if (!this.accept(ch)) this.fail(`expected ${what}`);
  }

  /** Matches a sticky pattern at the position and consumes it. */
  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.position += found[0].length;
    return found[0];
  }

  /** A Keyword (Ldh-str), lower-cased; undefined when none starts here. */
  keyword(): string | undefined {
    return this.match(KEYWORD)?.toLowerCase();
  }

  digits(): number | undefined {
    const text = this.match(DIGITS);
    return text === undefined ? undefined : Number(text);
  }

  /** quoted-string content, unescaped; the opening quote is next. CRLF of folding inside is dropped. */
  quotedString(): string {
    const start = this.position;
    this.position++;
    let value = '';
    for (;;) {
      if (this.done) throw new AuthResSyntaxError('unterminated quoted string', start);
      const ch = this.peek();
      this.position++;
      if (ch === '"') return value;
      if (ch === '\\') {
        if (this.done) throw new AuthResSyntaxError('unterminated quoted string', start);
        value += this.peek();
        this.position++;
      } else if (ch !== '\r' && ch !== '\n') {
        value += ch;
      }
    }
  }

  /** A value: quoted-string, or a run of characters up to whitespace, `;`, `(` or `"`. */
  value(what: string): string {
    if (this.peek() === '"') return this.quotedString();
    const text = this.match(LOOSE_VALUE);
    if (text === undefined) this.fail(`expected ${what}`);
    return text;
  }

  /** The authserv-id: a token (RFC 2045, with UTF-8 allowed) or a quoted-string. */
  authservId(): string {
    if (this.peek() === '"') return this.quotedString();
    const text = this.match(AUTHSERV_TOKEN);
    if (text === undefined) this.fail('expected the authserv-id');
    return text;
  }
}

/** Whether the next non-CFWS character is `ch`, without consuming anything. */
function nextIs(scanner: Scanner, ch: string): boolean {
  const saved = scanner.position;
  scanner.skipCfws();
  const found = scanner.peek() === ch;
  scanner.position = saved;
  return found;
}

/** `methodspec [reasonspec] *propspec` (RFC 8601 §2.2), after the `;`. */
function parseResinfo(scanner: Scanner, limits: AuthResParseLimits): AuthResEntry {
  const method = scanner.keyword();
  if (method === undefined) scanner.fail('expected a method');
  const entry: AuthResEntry = { method, result: '', properties: [] };
  scanner.skipCfws();
  if (scanner.accept('/')) {
    scanner.skipCfws();
    const version = scanner.digits();
    if (version === undefined) scanner.fail('expected a method version');
    entry.methodVersion = version;
    scanner.skipCfws();
  }
  scanner.expect('=', `"=" after ${method}`);
  scanner.skipCfws();
  const result = scanner.keyword();
  if (result === undefined) scanner.fail(`expected a result for ${method}`);
  entry.result = result;
  for (;;) {
    scanner.skipCfws();
    if (scanner.done || scanner.peek() === ';') return entry;
    const nameStart = scanner.position;
    const name = scanner.keyword();
    if (name === undefined) scanner.fail('expected a property');
    scanner.skipCfws();
    let ptype = '';
    let property = name;
    if (scanner.accept('.')) {
      scanner.skipCfws();
      const after = scanner.keyword();
      if (after === undefined) scanner.fail(`expected a property after ${name}.`);
      ptype = name;
      property = after;
      scanner.skipCfws();
    }
    if (!scanner.accept('='))
      throw new AuthResSyntaxError(`expected "=" after ${ptype ? `${ptype}.` : ''}${property}`, nameStart);
    scanner.skipCfws();
    const value = scanner.value(`a value for ${ptype ? `${ptype}.` : ''}${property}`);
    if (ptype === '' && property === 'reason' && entry.reason === undefined) {
      entry.reason = value;
      continue;
    }
    if (entry.properties.length >= limits.maxProperties) {
      throw new AuthResSyntaxError(
        `more than ${limits.maxProperties} properties in one result`,
        nameStart,
        'authres.too-many-results',
      );
    }
    entry.properties.push({ ptype, property, value });
  }
}

/** `authres-payload` (RFC 8601 §2.2) from the scanner's position to the end. */
function parsePayload(scanner: Scanner, limits: AuthResParseLimits): AuthenticationResults {
  scanner.skipCfws();
  const authservId = scanner.authservId();
  const parsed: AuthenticationResults = { authservId, results: [] };
  scanner.skipCfws();
  if (DIGIT.test(scanner.peek())) {
    const version = scanner.digits();
    if (version !== undefined) parsed.version = version;
    scanner.skipCfws();
  }
  if (scanner.done) scanner.fail('expected ";" and results (or "none") after the authserv-id');
  let sawNone = false;
  while (!scanner.done) {
    scanner.expect(';', '";"');
    scanner.skipCfws();
    if (scanner.done) break; // a trailing ";" is tolerated
    if (sawNone) scanner.fail('nothing may follow "none"');
    const saved = scanner.position;
    const word = scanner.keyword();
    if (word === 'none' && !nextIs(scanner, '=') && !nextIs(scanner, '/')) {
      if (parsed.results.length > 0) scanner.fail('"none" after results');
      sawNone = true;
      scanner.skipCfws();
      continue;
    }
    scanner.position = saved;
    if (parsed.results.length >= limits.maxResults) {
      throw new AuthResSyntaxError(
        `more than ${limits.maxResults} results`,
        scanner.position,
        'authres.too-many-results',
      );
    }
    parsed.results.push(parseResinfo(scanner, limits));
  }
  return parsed;
}

function run<T>(value: string, limits: AuthResParseLimits, body: (scanner: Scanner) => T): ParseResult<T> {
  if (typeof value !== 'string') return { ok: false, error: { code: 'authres.syntax', message: 'not a string' } };
  if (value.length > limits.maxLength) {
    return {
      ok: false,
      error: { code: 'authres.too-long', message: `the field is longer than ${limits.maxLength} characters` },
    };
  }
  try {
    return { ok: true, value: body(new Scanner(value)) };
  } catch (error) {
    if (error instanceof AuthResSyntaxError) {
      return { ok: false, error: { code: error.code, message: error.message, offset: error.offset } };
    }
    throw error;
  }
}

/** Strips a leading field name (`Authentication-Results:`), so callers may pass the field or its value. */
function stripName(value: string, name: string): number {
  const match = new RegExp(`^\\s*${name}\\s*:`, 'i').exec(value);
  return match ? match[0].length : 0;
}

/**
 * Parses an Authentication-Results value (RFC 8601 §2.2), with or without the field name; folded or not. Pure.
 * Errors: `authres.syntax` (with the offset), `authres.too-long`, `authres.too-many-results`.
 */
export function parseAuthenticationResults(
  value: string,
  limits: AuthResParseLimits = defaultAuthResParseLimits,
): ParseResult<AuthenticationResults> {
  return run(value, limits, (scanner) => {
    scanner.position = stripName(scanner.text, 'Authentication-Results');
    return parsePayload(scanner, limits);
  });
}

/**
 * Parses an ARC-Authentication-Results value (RFC 8617 §4.1.1: `i=N;` then the RFC 8601 payload), with or without
 * the field name. The instance must be 1–50 (RFC 8617 §4.2.1).
 */
export function parseArcAuthenticationResults(
  value: string,
  limits: AuthResParseLimits = defaultAuthResParseLimits,
): ParseResult<ArcAuthenticationResults> {
  return run(value, limits, (scanner) => {
    scanner.position = stripName(scanner.text, 'ARC-Authentication-Results');
    scanner.skipCfws();
    if (scanner.keyword() !== 'i') scanner.fail('expected i= (the ARC instance)');
    scanner.skipCfws();
    scanner.expect('=', '"=" after i');
    scanner.skipCfws();
    const instance = scanner.digits();
    if (instance === undefined || instance < 1 || instance > 50) {
      throw new AuthResSyntaxError('the ARC instance must be 1 to 50', scanner.position);
    }
    scanner.skipCfws();
    scanner.expect(';', '";" after the instance');
    return { instance, ...parsePayload(scanner, limits) };
  });
}
