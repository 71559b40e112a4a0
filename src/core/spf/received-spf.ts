/** The Received-SPF header field of RFC 7208 §9.1, built from a result and the envelope it was checked for. */
import type { SpfResult } from './types.js';

/** What the header records besides the result. */
export interface ReceivedSpfContext {
  /** The client address checked. */
  ip: string;
  /** MAIL FROM as given (`''` for the null sender). */
  mailFrom: string;
  helo?: string;
  /** The host adding the header (`receiver=`, and the comment's first word). */
  receiver?: string;
}

/** A `dot-atom` value needs no quotes; anything else becomes a quoted-string (RFC 5322 §3.2.4). */
function keyValue(key: string, value: string): string {
  const atext = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
  if (atext.test(value)) return `${key}=${value}`;
  // Quoted-string: escape backslash and quote; drop what a header cannot carry (CR, LF, other controls).
  let quoted = '';
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f) continue;
    quoted += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${key}="${quoted}"`;
}

/** Comment text, with parentheses and backslashes escaped (RFC 5322 §3.2.2). */
function commentText(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f) continue;
    out += ch === '(' || ch === ')' || ch === '\\' ? `\\${ch}` : ch;
  }
  return out;
}

function describe(result: SpfResult, ip: string, who: string): string {
  switch (result.result) {
    case 'pass':
      return `${who} designates ${ip} as permitted sender`;
    case 'fail':
      return `${who} does not designate ${ip} as permitted sender`;
    case 'softfail':
      return `transitioning ${who} does not designate ${ip} as permitted sender`;
    case 'neutral':
      return `${ip} is neither permitted nor denied by ${who}`;
    case 'none':
      return `${who} does not publish an SPF record`;
    case 'temperror':
      return `error in processing during lookup of ${who}: DNS temporary failure`;
    case 'permerror':
      return `error in processing the SPF record of ${who}`;
    default: {
      const unreachable: never = result.result;
      return unreachable;
    }
  }
}

/**
 * Formats `Received-SPF: <result> (<comment>) key=value; …` (RFC 7208 §9.1), one line without the trailing CRLF.
 * Keys: client-ip, envelope-from, helo, receiver, identity, mechanism (when one matched), problem (on errors).
 */
export function formatReceivedSpf(result: SpfResult, context: ReceivedSpfContext): string {
  const receiver = context.receiver ?? 'unknown';
  const who =
    result.identity === 'helo'
      ? `domain of ${result.domain || 'the HELO name'}`
      : `domain of ${context.mailFrom || 'the sender'}`;
  const comment = commentText(`${receiver}: ${describe(result, context.ip, who)}`);
  const pairs = [
    keyValue('client-ip', context.ip),
    keyValue('envelope-from', context.mailFrom),
    ...(context.helo !== undefined && context.helo !== '' ? [keyValue('helo', context.helo)] : []),
    keyValue('receiver', receiver),
    keyValue('identity', result.identity),
    ...(result.mechanism !== undefined ? [keyValue('mechanism', result.mechanism)] : []),
    ...((result.result === 'permerror' || result.result === 'temperror') && result.error
      ? [keyValue('problem', result.error.message)]
      : []),
  ];
  return `Received-SPF: ${result.result} (${comment}) ${pairs.join('; ')};`;
}
