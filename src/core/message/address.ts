/**
 * Address lists of RFC 5322 §3.4 (From, Sender, Reply-To, To, Cc): the mailboxes and their domains. Accepts
 * display names (words, quoted strings, obsolete `.` in phrases, §4.1), comments (nested, with quoted-pairs),
 * angle addresses with an obsolete route (§4.4), group syntax (RFC 6854 allows it in From), domain literals, empty
 * list elements (§4.4 obs-addr-list) and UTF-8 anywhere atext, qtext or ctext is allowed (RFC 6532 §3.2).
 *
 * RFC 2047 encoded words are left as written (they are atoms). Input is the unfolded or folded field value.
 * Work is linear in the input and bounded by `maxLength` and `maxMailboxes`.
 */
import type { ParseError, ParseResult } from '../parse-result.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const WHITESPACE_RUNS = /[\s]+/g;
const BRACKET_OR_BACKSLASH = /[[\\]/;
const QUOTE_OR_BACKSLASH = /(["\\])/g;

/** One mailbox of an address list. */
export interface Mailbox {
  /** The display name, unquoted, when one was given. */
  displayName?: string;
  /** The local part as written in canonical form (quoted when it needs quotes). */
  localPart: string;
  /** The domain as written (not normalized), without brackets for a literal. */
  domain: string;
  /** True for a domain literal (`[192.0.2.1]`). */
  domainLiteral: boolean;
  /** The name of the group this mailbox belongs to, if any. */
  group?: string;
}

/** Longest field value accepted by default; longer values are refused, not parsed. */
export const MAX_ADDRESS_FIELD_LENGTH = 65_536;
/** Most mailboxes returned from one field by default. */
export const MAX_MAILBOXES = 1_000;

/** How limit errors begin (see `addressLimitExceeded`). */
const TOO_MANY = 'more than';
const TOO_LONG = 'the field is longer than';

/** Caps for one call (mailtrust's own; real fields stay far below the defaults). */
export interface AddressListOptions {
  /** Longest value parsed, in UTF-16 code units (default `MAX_ADDRESS_FIELD_LENGTH`). */
  maxLength?: number;
  /** Most mailboxes accepted (default `MAX_MAILBOXES`); one more is an error. */
  maxMailboxes?: number;
}
/** Deepest comment nesting accepted. */
const MAX_COMMENT_DEPTH = 64;

/** A lexical token; `offset`/`end` delimit it in the input (whitespace and comments lie between tokens). */
type Token = (
  | { kind: 'atom'; text: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'special'; text: '<' | '>' | ',' | ':' | ';' | '@' | '.' }
) & { offset: number; end: number };

class AddressSyntaxError extends Error {
  override readonly name = 'AddressSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** ASCII atext (RFC 5322 §3.2.3), by code point. */
const ASCII_ATEXT: readonly boolean[] = Array.from({ length: 128 }, (_, code) =>
  /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]/.test(String.fromCharCode(code)),
);

/** atext (RFC 5322 §3.2.3) plus UTF8-non-ascii (RFC 6532 §3.2). */
export function isAtext(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 0x80 || ASCII_ATEXT[code] === true;
}

/** Whitespace between tokens, by code: SP, HTAB, CR, LF. */
function isWhitespaceCode(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** {@link isAtext} by character code. */
export function isAtextCode(c: number): boolean {
  return c >= 0x80 || ASCII_ATEXT[c] === true;
}

/** The specials that are tokens of their own (RFC 5322 §3.2.3), by code. */
const SPECIAL_TOKENS: ReadonlyMap<number, '<' | '>' | ',' | ':' | ';' | '@' | '.'> = new Map(
  (['<', '>', ',', ':', ';', '@', '.'] as const).map((ch) => [ch.charCodeAt(0), ch]),
);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (isWhitespaceCode(c)) {
      i++;
    } else if (c === 0x28 /* ( */) {
      const start = i;
      let depth = 0;
      do {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x28) {
          depth++;
          if (depth > MAX_COMMENT_DEPTH) throw new AddressSyntaxError('comments nested too deeply', i);
        } else if (d === 0x29 /* ) */) depth--;
        i++;
      } while (depth > 0 && i < length);
      if (depth > 0) throw new AddressSyntaxError('unterminated comment', start);
    } else if (c === 0x22 /* " */) {
      tokens.push(quotedString(text, i));
      i = (tokens[tokens.length - 1] as Token).end;
    } else if (c === 0x5b /* [ */) {
      const start = i;
      const end = text.indexOf(']', i);
      if (end < 0) throw new AddressSyntaxError('unterminated domain literal', start);
      const inner = text.slice(i + 1, end).replace(WHITESPACE_RUNS, '');
      if (BRACKET_OR_BACKSLASH.test(inner)) throw new AddressSyntaxError('invalid domain literal', start);
      i = end + 1;
      tokens.push({ kind: 'literal', text: inner, offset: start, end: i });
    } else if (SPECIAL_TOKENS.has(c)) {
      tokens.push({ kind: 'special', text: SPECIAL_TOKENS.get(c)!, offset: i, end: i + 1 });
      i++;
    } else if (isAtextCode(c)) {
      const start = i;
      i++;
      while (i < length && isAtextCode(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'atom', text: text.slice(start, i), offset: start, end: i });
    } else {
      throw new AddressSyntaxError(`unexpected character ${JSON.stringify(text[i] ?? '')}`, i);
    }
  }
  return tokens;
}

/**
 * The quoted string starting at `start` (RFC 5322 §3.2.4): its content without the quotes, quoted-pairs unescaped
 * and folding CRLFs dropped (§3.2.2). Content without either is sliced at once.
 */
function quotedString(text: string, start: number): Token {
  const length = text.length;
  let i = start + 1;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { kind: 'quoted', text: text.slice(start + 1, i), offset: start, end: i + 1 };
    if (c === 0x5c || c === 0x0d || c === 0x0a) break;
    i++;
  }
  let value = text.slice(start + 1, i);
  for (;;) {
    if (i >= length) throw new AddressSyntaxError('unterminated quoted string', start);
    const c = text.charCodeAt(i);
    if (c === 0x22) break;
    if (c === 0x5c) {
      i++;
      if (i >= length) throw new AddressSyntaxError('unterminated quoted string', start);
      value += text[i] ?? '';
    } else if (c !== 0x0d && c !== 0x0a) {
      // (a CR or LF is folding inside a quoted string: not part of the content)
      value += text[i] ?? '';
    }
    i++;
  }
  return { kind: 'quoted', text: value, offset: start, end: i + 1 };
}

class AddressParser {
  private position = 0;
  readonly mailboxes: Mailbox[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
    private readonly maxMailboxes: number,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private isSpecial(token: Token | undefined, text: string): boolean {
    return token?.kind === 'special' && token.text === text;
  }

  private fail(message: string): never {
    throw new AddressSyntaxError(message, this.peek()?.offset ?? this.length);
  }

  private expect(text: string): void {
    if (!this.isSpecial(this.peek(), text)) this.fail(`expected ${JSON.stringify(text)}`);
    this.position++;
  }

  private push(mailbox: Mailbox): void {
    if (this.mailboxes.length >= this.maxMailboxes) this.fail(`${TOO_MANY} ${this.maxMailboxes} mailboxes`);
    this.mailboxes.push(mailbox);
  }

  /** address-list (§3.4) with empty elements (§4.4). */
  parseAddressList(): void {
    while (this.position < this.tokens.length) {
      if (this.isSpecial(this.peek(), ',')) {
        this.position++;
        continue;
      }
      this.parseAddress(true, undefined);
      if (this.position < this.tokens.length) this.expect(',');
    }
  }

  /** address = mailbox / group. */
  private parseAddress(allowGroup: boolean, group: string | undefined): void {
    const phraseStart = this.position;
    while (this.peek()?.kind === 'atom' || this.peek()?.kind === 'quoted' || this.isSpecial(this.peek(), '.')) {
      this.position++;
    }
    const phrase = this.tokens.slice(phraseStart, this.position);
    const next = this.peek();
    if (this.isSpecial(next, ':')) {
      if (!allowGroup) this.fail('a group inside a group');
      if (phrase.length === 0) this.fail('a group without a name');
      this.position++;
      const name = phraseText(phrase);
      // group-list: mailbox-list / CFWS / obs-group-list; then ";".
      while (!this.isSpecial(this.peek(), ';')) {
        if (this.position >= this.tokens.length) this.fail('unterminated group (missing ";")');
        if (this.isSpecial(this.peek(), ',')) {
          this.position++;
          continue;
        }
        this.parseAddress(false, name);
        if (!this.isSpecial(this.peek(), ';')) this.expect(',');
      }
      this.position++;
      return;
    }
    if (this.isSpecial(next, '<')) {
      this.position++;
      // obs-route: "@domain,@domain:" before the addr-spec (§4.4), ignored.
      if (this.isSpecial(this.peek(), '@')) {
        while (!this.isSpecial(this.peek(), ':')) {
          if (this.position >= this.tokens.length || this.isSpecial(this.peek(), '>')) this.fail('invalid route');
          this.position++;
        }
        this.position++;
      }
      const localStart = this.position;
      while (this.peek()?.kind === 'atom' || this.peek()?.kind === 'quoted' || this.isSpecial(this.peek(), '.')) {
        this.position++;
      }
      const local = this.tokens.slice(localStart, this.position);
      const mailbox = this.parseAddrSpecRest(local);
      this.expect('>');
      if (phrase.length > 0) mailbox.displayName = phraseText(phrase);
      if (group !== undefined) mailbox.group = group;
      this.push(mailbox);
      return;
    }
    if (this.isSpecial(next, '@')) {
      const mailbox = this.parseAddrSpecRest(phrase);
      if (group !== undefined) mailbox.group = group;
      this.push(mailbox);
      return;
    }
    if (phrase.length === 0) this.fail('expected an address');
    this.fail('expected "<", "@" or ":" after a word');
  }

  /** local-part "@" domain, given the tokens of the local part. */
  private parseAddrSpecRest(local: Token[]): Mailbox {
    const localPart = localPartText(local);
    if (localPart === undefined) this.fail('invalid local part');
    this.expect('@');
    const first = this.peek();
    if (first?.kind === 'literal') {
      this.position++;
      return { localPart, domain: first.text, domainLiteral: true };
    }
    const labels: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token?.kind !== 'atom') this.fail('invalid domain');
      labels.push(token.text);
      this.position++;
      if (!this.isSpecial(this.peek(), '.')) break;
      this.position++;
    }
    return { localPart, domain: labels.join('.'), domainLiteral: false };
  }
}

/**
 * A phrase (display name): its words and `.`s (obs-phrase, §4.1), with one space wherever the input had
 * whitespace or a comment between two tokens.
 */
function phraseText(tokens: Token[]): string {
  let text = '';
  let previousEnd: number | undefined;
  for (const token of tokens) {
    if (previousEnd !== undefined && token.offset > previousEnd) text += ' ';
    text += token.text;
    previousEnd = token.end;
  }
  return text;
}

/** local-part = dot-atom / quoted-string / obs-local-part (word *("." word)); undefined when malformed. */
function localPartText(tokens: Token[]): string | undefined {
  if (tokens.length === 0 || tokens.length % 2 === 0) return undefined;
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined) return undefined;
    if (i % 2 === 1) {
      if (token.kind !== 'special' || token.text !== '.') return undefined;
      continue;
    }
    if (token.kind === 'atom') words.push(token.text);
    else if (token.kind === 'quoted') words.push(quoteIfNeeded(token.text));
    else return undefined;
  }
  return words.join('.');
}

function quoteIfNeeded(text: string): string {
  if (text.length > 0 && [...text].every(isAtext)) return text;
  return `"${text.replace(QUOTE_OR_BACKSLASH, '\\$1')}"`;
}

/** Which cap, if any, made `parseAddressList` refuse its input. */
export function addressLimitExceeded(error: ParseError): 'length' | 'mailboxes' | undefined {
  if (error.code !== 'headers.address-invalid') return undefined;
  if (error.message.startsWith(TOO_LONG)) return 'length';
  if (error.message.startsWith(TOO_MANY) && error.message.endsWith(' mailboxes')) return 'mailboxes';
  return undefined;
}

/**
 * Parses an address list (RFC 5322 §3.4 `address-list`, RFC 6854 for From) into its mailboxes. Pure; fails with
 * `headers.address-invalid` and the offset of the trouble. Groups contribute their members (an empty group none),
 * so an empty result means the value named no mailbox (empty, or only empty groups).
 */
export function parseAddressList(value: string, options: AddressListOptions = {}): ParseResult<Mailbox[]> {
  const maxLength = options.maxLength ?? MAX_ADDRESS_FIELD_LENGTH;
  const maxMailboxes = options.maxMailboxes ?? MAX_MAILBOXES;
  // A list parsed under other caps is the same list when it fits these.
  if (last?.value === value && value.length <= maxLength && last.mailboxes.length <= maxMailboxes)
    return { ok: true, value: last.mailboxes };
  const result = parseList(value, maxLength, maxMailboxes);
  if (result.ok) last = { value, mailboxes: result.value };
  return result;
}

/**
 * The last list that parsed (frozen, as it is shared): the From field of a message is read by DMARC's
 * author-domain step and by the header checks, one after the other.
 */
let last: { value: string; mailboxes: Mailbox[] } | undefined;

function parseList(value: string, maxLength: number, maxMailboxes: number): ParseResult<Mailbox[]> {
  if (value.length > maxLength) {
    return {
      ok: false,
      error: { code: 'headers.address-invalid', message: `${TOO_LONG} ${maxLength} characters` },
    };
  }
  try {
    const parser = new AddressParser(tokenize(value), value.length, maxMailboxes);
    parser.parseAddressList();
    for (const mailbox of parser.mailboxes) Object.freeze(mailbox);
    return { ok: true, value: Object.freeze(parser.mailboxes) as Mailbox[] };
  } catch (error) {
    if (error instanceof AddressSyntaxError) {
      return { ok: false, error: { code: 'headers.address-invalid', message: error.message, offset: error.offset } };
    }
    throw error;
  }
}
