/**
 * Authentication-Results entries built from check results (RFC 8601 §2.7; RFC 7489 §11.2 for `dmarc`;
 * RFC 8617 §10.2 for `arc`). The inputs are structural: the results of the spf, dkim, dmarc, arc and iprev
 * modules fit them as they are; nothing here imports those modules.
 */
import type { AuthResEntry, AuthResProperty } from './types.js';

/** What an `spf` entry needs (RFC 8601 §2.7.2): `smtp.mailfrom` or, for the HELO identity, `smtp.helo`. */
export interface SpfAuthResInput {
  readonly result: string;
  /** The checked domain: MAIL FROM domain, or the HELO name. */
  readonly domain: string;
  readonly identity: 'mailfrom' | 'helo';
  /** The full MAIL FROM address, when known; `smtp.mailfrom` then carries it instead of the domain. */
  readonly mailFrom?: string;
  readonly reason?: string;
}

/** What a `dkim` entry needs (RFC 8601 §2.7.1, RFC 6008 `header.b`). */
export interface DkimAuthResInput {
  readonly result: string;
  /** d= */
  readonly domain: string;
  /** s= */
  readonly selector?: string;
  /** i= */
  readonly identity?: string;
  /** a= */
  readonly algorithm?: string;
  /** b= (or its first characters); only the first 8 are written. */
  readonly headerB?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly reason?: string;
}

/** What a `dmarc` entry needs (RFC 7489 §11.2: `header.from`; `policy.dmarc` for the policy applied). */
export interface DmarcAuthResInput {
  readonly result: string;
  /** The RFC5322.From domain. */
  readonly domain: string;
  /** The policy in force; written as `policy.dmarc` for `pass`/`fail`. */
  readonly policy?: string;
  readonly reason?: string;
}

/** What an `arc` entry needs (RFC 8617 §10.2: `header.oldest-pass`, `smtp.remote-ip`). */
export interface ArcAuthResInput {
  readonly result: string;
  readonly oldestPass?: number;
  readonly remoteIp?: string;
  readonly reason?: string;
}

/** What an `iprev` entry needs (RFC 8601 §2.7.3: `policy.iprev` is the connecting IP address). */
export interface IprevAuthResInput {
  readonly result: string;
  readonly ip?: string;
  readonly reason?: string;
}

/** The results to write into one Authentication-Results field. */
export interface AuthResInput {
  readonly iprev?: IprevAuthResInput;
  readonly spf?: SpfAuthResInput;
  /** One entry per signature; an empty list (checked, no signature) is written `dkim=none` (RFC 8601 §2.7.1). */
  readonly dkim?: readonly DkimAuthResInput[];
  readonly dmarc?: DmarcAuthResInput;
  readonly arc?: ArcAuthResInput;
}

/** Longest `reason` written (a reason is for people; the header is not the place for an essay). */
const MAX_REASON_LENGTH = 200;
/** RFC 6008 §4: enough of b= to tell signatures apart. */
const HEADER_B_LENGTH = 8;

function entry(
  method: string,
  result: string,
  reason: string | undefined,
  properties: AuthResProperty[],
): AuthResEntry {
  const built: AuthResEntry = { method, result: result.toLowerCase(), properties };
  if (reason !== undefined && reason.length > 0) built.reason = reason.slice(0, MAX_REASON_LENGTH);
  return built;
}

function property(ptype: string, name: string, value: string): AuthResProperty {
  return { ptype, property: name, value };
}

/**
 * The entries for `input`, in the order iprev, spf, dkim (one per signature, or `dkim=none` when `dkim` is an
 * empty list: checked, no signature), dmarc, arc. Pure.
 * A DKIM error's message becomes its `reason` unless a reason is given.
 */
export function authResEntries(input: AuthResInput): AuthResEntry[] {
  const entries: AuthResEntry[] = [];
  if (input.iprev) {
    const props = input.iprev.ip ? [property('policy', 'iprev', input.iprev.ip)] : [];
    entries.push(entry('iprev', input.iprev.result, input.iprev.reason, props));
  }
  if (input.spf) {
    const spf = input.spf;
    const props =
      spf.identity === 'helo'
        ? [property('smtp', 'helo', spf.domain)]
        : [
            property(
              'smtp',
              'mailfrom',
              spf.mailFrom !== undefined && spf.mailFrom.length > 0 ? spf.mailFrom : spf.domain,
            ),
          ];
    entries.push(entry('spf', spf.result, spf.reason, props));
  }
  // RFC 8601 §2.7.1: a message without a DKIM signature is `dkim=none` ("the message was not signed").
  if (input.dkim !== undefined && input.dkim.length === 0) entries.push(entry('dkim', 'none', undefined, []));
  for (const dkim of input.dkim ?? []) {
    const props: AuthResProperty[] = [];
    if (dkim.domain.length > 0) props.push(property('header', 'd', dkim.domain));
    if (dkim.selector !== undefined && dkim.selector.length > 0) props.push(property('header', 's', dkim.selector));
    if (dkim.identity !== undefined && dkim.identity.length > 0) props.push(property('header', 'i', dkim.identity));
    if (dkim.algorithm !== undefined && dkim.algorithm.length > 0) props.push(property('header', 'a', dkim.algorithm));
    if (dkim.headerB !== undefined && dkim.headerB.length > 0) {
      props.push(property('header', 'b', dkim.headerB.slice(0, HEADER_B_LENGTH)));
    }
    entries.push(entry('dkim', dkim.result, dkim.reason ?? dkim.error?.message, props));
  }
  if (input.dmarc) {
    const dmarc = input.dmarc;
    const props = [property('header', 'from', dmarc.domain)];
    const result = dmarc.result.toLowerCase();
    if (dmarc.policy !== undefined && (result === 'pass' || result === 'fail')) {
      props.push(property('policy', 'dmarc', dmarc.policy));
    }
    entries.push(entry('dmarc', result, dmarc.reason, props));
  }
  if (input.arc) {
    const arc = input.arc;
    const props: AuthResProperty[] = [];
    if (arc.oldestPass !== undefined) props.push(property('header', 'oldest-pass', String(arc.oldestPass)));
    if (arc.remoteIp !== undefined && arc.remoteIp.length > 0) props.push(property('smtp', 'remote-ip', arc.remoteIp));
    entries.push(entry('arc', arc.result, arc.reason, props));
  }
  return entries;
}
