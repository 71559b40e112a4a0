/**
 * Reading the envelope back out of a saved message: the `from` clause of a Received field (RFC 5321 §4.4) and the
 * Return-Path field (RFC 5321 §4.4, RFC 5322 §3.6.7), which the delivering server writes from MAIL FROM.
 *
 * RFC 5321 §4.4 fixes only the outline (`from` domain, `by` domain, then `via`/`with`/`id`/`for`); what sits in
 * the comments after the `from` name differs by server. The forms read here:
 *
 * - Postfix, Sendmail, Gmail: `from HELO (rdns [IP])` (Sendmail may add `(may be forged)`, `user@` before rdns).
 * - Exim: `from rdns ([IP]:port helo=HELO)`, `from [IP] (port=N helo=HELO)`; without `helo=` the HELO was the
 *   first name (Exim omits it when identical).
 * - qmail: `from rdns (HELO name) (user@IP)`; `(HELO name)` is the HELO, left out when it equals rdns.
 * - Exchange, Microsoft 365, LSMTP: `from HELO (IP)`, the address bare in parentheses.
 * - IMail, SMTPD32: `from HELO [IP] by …`, the address literal bare after the name.
 *
 * Anything else is `unparsable`, never guessed at: a wrong guess would judge the wrong sender.
 */
import { canonicalIpText, ipv4Octets, parseIpAddress } from '../ip/address.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const IPV6_PREFIX = /^ipv6:/i;
const WHITESPACE_RUNS = /\s+/g;
const BRACKETED_ADDRESS = /\[([0-9A-Fa-f:.]+|IPv6:[0-9A-Fa-f:.]+)\]/gi;
const HELO_COMMENT = /^\s*(?:HELO|EHLO)\s+(\S*)\s*$/i;
const EXIM_HELO = /(?:^|\s)helo=(\S+)/i;
const EXIM_HELO_GLOBAL = /(?:^|\s)helo=\S+/gi;
const BARE_ADDRESS = /^\s*(?:[^\s@()]+@)?([0-9A-Fa-f:.]+)\s*$/;
const LITERAL = /^\[[0-9A-Fa-f:.]+\]$|^\[IPv6:[0-9A-Fa-f:.]+\]$/i;
const CLAUSE_WORD = /^(?:by|via|with|id|for)$/i;
const QMAIL_QUEUE = /^\(qmail \d+ invoked from network\);/i;
const QMAIL_LOCAL = /^\(qmail \d+ invoked (?:by|for) [^)]*\);/i;
const ANGLE_ADDRESS = /<([^<>]*)>/;
const ADDRESS = /^[^\s<>]+@[^\s<>]+$/;

/** The longest field value read; longer ones are cut (a Received field is a line or two). */
const MAX_FIELD = 8192;
/** Parenthesised comments nest at most this deep in the forms read here (Sendmail's `(may be forged)`). */
const MAX_NESTING = 4;

/** What one Received field says about the client it received the message from. */
export type ReceivedFrom =
  /** A client address (and the HELO/EHLO name, when the field records one) read from the `from` clause. */
  | { kind: 'client'; ip: string; helo?: string; by?: string }
  /** qmail's queue stamp `(qmail N invoked from network)`: the same server's `from` field follows below it. */
  | { kind: 'queue-stamp' }
  /**
   * No `from` clause: the message was submitted on the host itself (`by host (Postfix, from userid 1000)`), or an
   * internal hop records only where it went (Gmail's `by 2002:a05:…` hop).
   */
  | { kind: 'no-client'; by?: string }
  /** A `from` clause in a form this module does not read, with what did not fit. */
  | { kind: 'unparsable'; why: string; by?: string };

/** A valid IPv4 or IPv6 address (an `IPv6:` literal's tag dropped) in its canonical text; else undefined. */
function literalAddress(text: string): string | undefined {
  return canonicalIpText(text.replace(IPV6_PREFIX, ''));
}

/** The `from` clause cut into its first word and its comments, and the `by` name after it. */
interface FromClause {
  name: string;
  comments: string[];
  by?: string;
}

/** Splits `from NAME (comment)… by HOST …`; a string says why the text is not in that outline. */
function splitFromClause(text: string): FromClause | string {
  let i = 5; // after "from "
  const nameEnd = text.slice(i).search(/[\s(;]/);
  const name = nameEnd < 0 ? text.slice(i) : text.slice(i, i + nameEnd);
  if (name === '') return 'no name after "from"';
  i = nameEnd < 0 ? text.length : i + nameEnd;
  const comments: string[] = [];
  for (;;) {
    while (text[i] === ' ') i++;
    if (i >= text.length || text[i] === ';') return { name, comments };
    if (text[i] === '(') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '(') {
          depth++;
          if (depth > MAX_NESTING) return 'comments nested too deep';
        } else if (text[j] === ')') {
          depth--;
          if (depth === 0) break;
        }
      }
      if (depth !== 0) return 'unbalanced parentheses';
      comments.push(text.slice(i + 1, j));
      i = j + 1;
      continue;
    }
    const wordEnd = text.slice(i).search(/[\s(;]/);
    const word = wordEnd < 0 ? text.slice(i) : text.slice(i, i + wordEnd);
    // IMail and SMTPD32 write the client's address bare after the name: `from NAME [IP] by …`.
    if (comments.length === 0 && LITERAL.test(word)) {
      comments.push(word);
      i += word.length;
      continue;
    }
    if (!CLAUSE_WORD.test(word)) return `unexpected ${JSON.stringify(word)} in the from clause`;
    if (word.toLowerCase() !== 'by') return { name, comments };
    const rest = text.slice(i + word.length).trimStart();
    const byEnd = rest.search(/[\s(;]/);
    const by = byEnd < 0 ? rest : rest.slice(0, byEnd);
    return by === '' ? { name, comments } : { name, comments, by };
  }
}

/** The `by` host of a field without a `from` clause (`by host (Postfix, from userid 1000) id X; date`). */
function byOnly(text: string): string | undefined {
  const match = /^by\s+([^\s(;]+)/i.exec(text);
  return match ? match[1] : undefined;
}

/** The client address a comment holds in one of the forms above, undefined when it holds none. */
function commentAddresses(comment: string): string[] {
  if (HELO_COMMENT.test(comment)) return [];
  const bare = BARE_ADDRESS.exec(comment);
  if (bare) {
    const ip = literalAddress(bare[1]!);
    return ip === undefined ? [] : [ip];
  }
  const found: string[] = [];
  for (const bracket of comment.replace(EXIM_HELO_GLOBAL, ' ').matchAll(BRACKETED_ADDRESS)) {
    const ip = literalAddress(bracket[1]!);
    if (ip !== undefined) found.push(ip);
  }
  return found;
}

/**
 * Parses one Received field value (unfolded) into the client it names. Only the forms listed at the top of this
 * module are read; a field naming two different client addresses, unbalanced comments or extra words is
 * `unparsable`.
 */
export function parseReceivedFrom(value: string): ReceivedFrom {
  const text = value.slice(0, MAX_FIELD).replace(WHITESPACE_RUNS, ' ').trim();
  if (QMAIL_QUEUE.test(text)) return { kind: 'queue-stamp' };
  if (QMAIL_LOCAL.test(text)) return { kind: 'no-client' };
  if (!/^from\s/i.test(text)) {
    const by = byOnly(text);
    if (by !== undefined) return { kind: 'no-client', by };
    return { kind: 'unparsable', why: 'no "from" or "by" clause' };
  }
  const clause = splitFromClause(text);
  if (typeof clause === 'string') {
    const by = /\sby\s+([^\s(;]+)/i.exec(text)?.[1];
    return { kind: 'unparsable', why: clause, ...(by !== undefined ? { by } : {}) };
  }
  const { name, comments, by } = clause;
  const withBy = by !== undefined ? { by } : {};
  const addresses = new Set<string>();
  for (const comment of comments) for (const ip of commentAddresses(comment)) addresses.add(ip);
  // `from [IP]` alone: the client greeted with its address literal, which is the address (RFC 5321 §4.1.3).
  if (addresses.size === 0 && name.startsWith('[')) {
    const literal = /^\[([^\]]+)\](?::\d+)?$/.exec(name);
    const ip = literal ? literalAddress(literal[1]!) : undefined;
    if (ip !== undefined) addresses.add(ip);
  }
  if (addresses.size === 0) return { kind: 'unparsable', why: 'no client address in the from clause', ...withBy };
  if (addresses.size > 1)
    return { kind: 'unparsable', why: `two client addresses (${[...addresses].join(', ')})`, ...withBy };
  const ip = [...addresses][0]!;
  let helo: string | undefined = name;
  for (const comment of comments) {
    const qmail = HELO_COMMENT.exec(comment);
    const exim = EXIM_HELO.exec(comment);
    if (qmail) helo = qmail[1]!;
    else if (exim) helo = exim[1]!;
  }
  return { kind: 'client', ip, ...(helo !== '' ? { helo } : {}), ...withBy };
}

/** Loopback, private, link-local or unspecified: an internal hop, not the client that sent the message to us. */
export function isInternalAddress(ip: string): boolean {
  const address = parseIpAddress(ip);
  if (address === undefined) return false;
  if (address.family === 4) {
    const [a, b] = ipv4Octets(address.value);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (address.value === 0n || address.value === 1n) return true; // ::, ::1 (RFC 4291 §2.5.2, §2.5.3)
  const firstGroup = Number(address.value >> 112n);
  // fc00::/7 unique local (RFC 4193 §3.1), fe80::/10 link-local (RFC 4291 §2.5.6).
  return (firstGroup & 0xfe00) === 0xfc00 || (firstGroup & 0xffc0) === 0xfe80;
}

/** The address inside a Return-Path value (`<a@b>`, `<>` for the null sender), or undefined. */
export function parseReturnPath(value: string): string | undefined {
  const match = ANGLE_ADDRESS.exec(value.slice(0, MAX_FIELD));
  if (match) return match[1]!.trim();
  const bare = value.trim();
  return ADDRESS.test(bare) ? bare : undefined;
}
