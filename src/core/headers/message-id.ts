/**
 * The msg-id of the Message-ID field, RFC 5322 §3.6.4: `[CFWS] "<" id-left "@" id-right ">" [CFWS]`, with the
 * obsolete forms of §4.5.4 (id-left a local-part, id-right a domain: quoted strings and comments inside) and
 * UTF-8 in atext (RFC 6532 §3.2).
 */
import { isAtext, isAtextCode } from '../message/address.js';
import type { ParseResult } from '../parse-result.js';
import { isFoldingSpace, skipCfws } from './cfws.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const QUOTE_OR_BACKSLASH = /(["\\])/g;

/** Longest Message-ID value parsed (mailtrust's own cap; the line limit of §2.1.1 is 998 characters). */
export const MAX_MESSAGE_ID_LENGTH = 4_096;

/** A parsed msg-id. */
export interface MessageId {
  /** The identifier between the angle brackets as written (`left@right`), comments and spaces removed. */
  id: string;
  left: string;
  right: string;
  /** True when the obsolete syntax of §4.5.4 was needed (quoted strings, comments or spaces inside `<>`). */
  obsolete: boolean;
}

class MessageIdSyntaxError extends Error {
  override readonly name = 'MessageIdSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

class MessageIdParser {
  position = 0;
  obsolete = false;

  constructor(private readonly text: string) {}

  fail(message: string, offset = this.position): never {
    throw new MessageIdSyntaxError(message, offset);
  }

  /** [CFWS]; inside the brackets any CFWS is obsolete syntax. */
  cfws(inside: boolean): void {
    const skip = skipCfws(this.text, this.position);
    if (!skip.ok) this.fail(skip.message, skip.offset);
    if (inside && skip.end > this.position) this.obsolete = true;
    this.position = skip.end;
  }

  expect(ch: string, what: string): void {
    if (this.text[this.position] !== ch) this.fail(`expected ${what}`);
    this.position++;
  }

  atom(): string {
    const start = this.position;
    while (this.position < this.text.length && isAtext(this.text[this.position] ?? '')) this.position++;
    return this.text.slice(start, this.position);
  }

  quoted(): string {
    const start = this.position;
    this.position++;
    let value = '';
    for (;;) {
      const ch = this.text[this.position];
      if (ch === undefined) this.fail('unterminated quoted string', start);
      if (ch === '"') break;
      if (ch === '\\') {
        this.position++;
        const escaped = this.text[this.position];
        if (escaped === undefined) this.fail('unterminated quoted string', start);
        value += escaped;
      } else if (ch !== '\r' && ch !== '\n') {
        value += ch;
      }
      this.position++;
    }
    this.position++;
    return `"${value.replace(QUOTE_OR_BACKSLASH, '\\$1')}"`;
  }

  /** dot-atom-text, or (obsolete) words joined by "." with CFWS around them. */
  dottedWords(allowQuoted: boolean, what: string): string {
    const words: string[] = [];
    for (;;) {
      this.cfws(true);
      let word: string;
      if (allowQuoted && this.text[this.position] === '"') {
        this.obsolete = true;
        word = this.quoted();
      } else {
        word = this.atom();
        if (word.length === 0) this.fail(`invalid ${what}`);
      }
      words.push(word);
      this.cfws(true);
      if (this.text[this.position] !== '.') break;
      this.position++;
    }
    return words.join('.');
  }

  /** `"[" *dtext "]"` (no-fold-literal); obsolete quoted-pairs and spaces are accepted. */
  literal(): string {
    const start = this.position;
    this.position++;
    let value = '';
    for (;;) {
      const ch = this.text[this.position];
      if (ch === undefined) this.fail('unterminated domain literal', start);
      if (ch === ']') break;
      if (ch === '[') this.fail('"[" inside a domain literal');
      if (ch === '\\') {
        this.obsolete = true;
        this.position++;
        const escaped = this.text[this.position];
        if (escaped === undefined) this.fail('unterminated domain literal', start);
        value += escaped;
      } else if (isFoldingSpace(ch)) {
        this.obsolete = true;
      } else {
        value += ch;
      }
      this.position++;
    }
    this.position++;
    return `[${value}]`;
  }

  parse(): MessageId {
    this.cfws(false);
    if (this.position >= this.text.length) this.fail('the value is empty');
    this.expect('<', '"<"');
    const left = this.dottedWords(true, 'id-left');
    this.expect('@', '"@"');
    this.cfws(true);
    const right = this.text[this.position] === '[' ? this.literal() : this.dottedWords(false, 'id-right');
    this.cfws(true);
    this.expect('>', '">"');
    this.cfws(false);
    if (this.position < this.text.length) {
      this.fail(this.text[this.position] === '<' ? 'more than one msg-id' : 'unexpected text after ">"');
    }
    return { id: `${left}@${right}`, left, right, obsolete: this.obsolete };
  }
}

/**
 * Parses a Message-ID field value: exactly one msg-id (RFC 5322 §3.6.4). Pure; a failure carries the code
 * `headers.message-id-invalid` (mailtrust reports it under the finding `headers.message-id-missing`).
 */
export function parseMessageId(value: string): ParseResult<MessageId> {
  if (value.length > MAX_MESSAGE_ID_LENGTH) {
    return {
      ok: false,
      error: {
        code: 'headers.message-id-invalid',
        message: `the value is longer than ${MAX_MESSAGE_ID_LENGTH} characters`,
      },
    };
  }
  const common = parseCommonMessageId(value);
  if (common !== undefined) return { ok: true, value: common };
  try {
    return { ok: true, value: new MessageIdParser(value).parse() };
  } catch (error) {
    if (error instanceof MessageIdSyntaxError) {
      return {
        ok: false,
        error: { code: 'headers.message-id-invalid', message: error.message, offset: error.offset },
      };
    }
    throw error;
  }
}

/** The index just past the dot-atom-text (RFC 5322 §3.2.3) starting at `i`, or -1 when there is none. */
function dotAtomEnd(text: string, i: number): number {
  let atomStart = i;
  for (;;) {
    while (i < text.length && isAtextCode(text.charCodeAt(i))) i++;
    if (i === atomStart) return -1;
    if (text.charCodeAt(i) !== 0x2e) return i;
    i++;
    atomStart = i;
  }
}

/**
 * The form nearly every mail program writes, `<dot-atom-text@dot-atom-text>` with nothing around it, read without
 * the general parser; undefined for anything else (the general parser then decides, with the same result for
 * this form).
 */
export function parseCommonMessageId(value: string): MessageId | undefined {
  if (value.charCodeAt(0) !== 0x3c) return undefined;
  const at = dotAtomEnd(value, 1);
  if (at < 0 || value.charCodeAt(at) !== 0x40) return undefined;
  const end = dotAtomEnd(value, at + 1);
  if (end < 0 || end !== value.length - 1 || value.charCodeAt(end) !== 0x3e) return undefined;
  const left = value.slice(1, at);
  const right = value.slice(at + 1, end);
  return { id: value.slice(1, end), left, right, obsolete: false };
}
