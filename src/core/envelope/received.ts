/**
 * Reading the envelope back out of a saved message: the `from` clause of a Received field (RFC 5321 §4.4) and the
 * Return-Path field (RFC 5321 §4.4, RFC 5322 §3.6.7), which the delivering server writes from MAIL FROM.
 */
import { canonicalIPv6, parseIPv4 } from '../dns/ip-address.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const IPV6_PREFIX = /^ipv6:/i;
const WHITESPACE_RUNS = /\s+/g;
const FROM_CLAUSE = /^from\s+(\S+)(.*?)(?:\s(?:by|via|with|id|for)\s|;|$)/i;
const BRACKETED_ADDRESS = /\[([0-9A-Fa-f:.]+|IPv6:[0-9A-Fa-f:.]+)\]/gi;
const UNIQUE_LOCAL = /^f[cd]/;
const LINK_LOCAL = /^fe[89ab]/;
const ANGLE_ADDRESS = /<([^<>]*)>/;
const ADDRESS = /^[^\s<>]+@[^\s<>]+$/;

/** What a Received field says about the client it received the message from. */
export interface ReceivedFrom {
  /** The EHLO/HELO argument the client gave (`from NAME`, or Exim's `(helo=NAME)`). */
  helo?: string;
  /** The client's address from the TCP-info (`[192.0.2.1]`, `[IPv6:2001:db8::1]`). */
  ip?: string;
}

const MAX_FIELD = 8192;

function normalizeIp(text: string): string | undefined {
  const bare = text.replace(IPV6_PREFIX, '');
  if (parseIPv4(bare)) return bare;
  return canonicalIPv6(bare);
}

/**
 * Parses the `from` clause of a Received field value (unfolded). Tolerant of the common MTA formats:
 * Postfix `from helo (rdns [ip])`, Sendmail `from helo (rdns [ip])`, Exim `from rdns ([ip] helo=helo)`,
 * Gmail `from helo (rdns. [ip])`, and literals `from [ip]`.
 */
export function parseReceivedFrom(value: string): ReceivedFrom {
  const text = value.slice(0, MAX_FIELD).replace(WHITESPACE_RUNS, ' ').trim();
  const match = FROM_CLAUSE.exec(text);
  if (!match) return {};
  const name = match[1]!;
  const rest = match[2] ?? '';
  const result: ReceivedFrom = {};
  const exim = /\bhelo=([^\s()]+)/i.exec(rest);
  if (exim) result.helo = exim[1]!;
  else if (!name.startsWith('(')) result.helo = name;
  for (const bracket of `${name} ${rest}`.matchAll(BRACKETED_ADDRESS)) {
    const ip = normalizeIp(bracket[1]!);
    if (ip) {
      result.ip = ip;
      break;
    }
  }
  return result;
}

/** Loopback, private, link-local or unspecified: an internal hop, not the client that sent the message to us. */
export function isInternalAddress(ip: string): boolean {
  const quad = parseIPv4(ip);
  if (quad) {
    const [a, b] = quad as [number, number, number, number];
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
  const v6 = canonicalIPv6(ip);
  if (!v6) return false;
  if (v6 === '::1' || v6 === '::') return true;
  if (v6.startsWith('::ffff:')) return isInternalAddress(v6.slice(7));
  return UNIQUE_LOCAL.test(v6) || LINK_LOCAL.test(v6);
}

/** The address inside a Return-Path value (`<a@b>`, `<>` for the null sender), or undefined. */
export function parseReturnPath(value: string): string | undefined {
  const match = ANGLE_ADDRESS.exec(value.slice(0, MAX_FIELD));
  if (match) return match[1]!.trim();
  const bare = value.trim();
  return ADDRESS.test(bare) ? bare : undefined;
}
