/**
 * Does a PTR name look generic — assigned by an ISP to a residential or dynamic address pool rather than chosen by
 * a mail server's operator? The guide's example is `4-3-2-1-cable-subscribers.isp.com` for 1.2.3.4: receivers trust
 * mail from such names less ("it should not contain IP address numbers or keywords that indicate that an IP address
 * belongs to a residential ISP").
 *
 * Only the labels left of the organizational domain are read (`isp.com` itself says nothing). A name is generic when
 * those labels
 * - embed the client's address: its octets forward or reversed, separated by `-`, `.`, `_` or nothing (zero-padded
 *   to three digits when joined), or as 8 hex digits; for IPv6, 4 or more of its groups in a row;
 * - or hold a dynamic-pool keyword as a whole token (dyn, dhcp, dsl, cable, pool, ppp, client, broadband, …).
 * A name with a `static` or `business` token is exempt: the ISP says the address is not a dynamic pool.
 */
import { ipv4Octets, parseIPv4, parseIPv6 } from '../ip/address.js';
import { lowerCaseName } from '../dns/names.js';

// Patterns of this module, made once: a regular expression literal inside a function makes a new object per call.
const TOKEN_BREAK = /[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])/;
const DOTS_AND_UNDERSCORES = /[._]/g;

/** Tokens that mark dynamic or residential address pools. */
const DYNAMIC_KEYWORDS: ReadonlySet<string> = new Set([
  'dyn',
  'dynamic',
  'dynip',
  'dhcp',
  'dsl',
  'adsl',
  'vdsl',
  'xdsl',
  'sdsl',
  'cable',
  'cablemodem',
  'pool',
  'ppp',
  'pppoe',
  'dial',
  'dialup',
  'dialin',
  'client',
  'clients',
  'broadband',
  'bb',
  'cust',
  'customer',
  'customers',
  'subscriber',
  'subscribers',
  'res',
  'resident',
  'residential',
  'home',
  'user',
  'users',
  'cpe',
  'ftth',
  'fttx',
  'fios',
  'wifi',
  'wireless',
  'mobile',
  'lte',
  'nat',
  'unassigned',
  'unknown',
]);

const EXEMPT_KEYWORDS: ReadonlySet<string> = new Set(['static', 'business', 'biz']);

export type GenericNameReason = { kind: 'embedded-ip'; form: string } | { kind: 'keyword'; keyword: string };

/** Why `ptrName` looks generic for `ip`, or undefined when it does not. `orgDomain` is the name's own. */
export function genericNameReason(
  ptrName: string,
  ip: string,
  orgDomain: string | undefined,
): GenericNameReason | undefined {
  const org = orgDomain ?? '';
  // Lengths first, so that no two argument triples share a key.
  const key = `${ip.length}:${org.length}:${ip}${org}${ptrName}`;
  let known = reasonMemo.get(key);
  if (known === undefined) {
    known = judge(ptrName, ip, orgDomain) ?? null;
    if (key.length <= MAX_MEMO_KEY_LENGTH) {
      if (reasonMemo.size >= MAX_MEMO_ENTRIES) reasonMemo.clear();
      reasonMemo.set(key, known);
    }
  }
  // A copy: the caller's findings own their reason.
  return known === null ? undefined : { ...known };
}

/** Answers already given (pure; the same PTR names come back with every message from a host). Bounded. */
const reasonMemo = new Map<string, GenericNameReason | null>();
const MAX_MEMO_ENTRIES = 4096;
/** DNS names are at most 253 characters: longer input is judged every time, not kept. */
const MAX_MEMO_KEY_LENGTH = 600;

function judge(ptrName: string, ip: string, orgDomain: string | undefined): GenericNameReason | undefined {
  const name = lowerCaseName(ptrName);
  let hostPart = name;
  if (orgDomain && name.endsWith(`.${orgDomain}`)) hostPart = name.slice(0, -orgDomain.length - 1);
  else if (orgDomain === name) hostPart = '';
  else if (!orgDomain) hostPart = name.split('.').slice(0, -2).join('.');
  if (hostPart === '') return undefined;

  const tokens = hostPart.split(TOKEN_BREAK).filter((t) => t !== '');
  if (tokens.some((t) => EXEMPT_KEYWORDS.has(t))) return undefined;

  const embedded = embeddedAddressForm(hostPart, ip);
  if (embedded) return { kind: 'embedded-ip', form: embedded };
  const keyword = tokens.find((t) => DYNAMIC_KEYWORDS.has(t));
  if (keyword) return { kind: 'keyword', keyword };
  return undefined;
}

/** The form in which `hostPart` embeds `ip`, or undefined. Matches only whole digit runs, never inside one. */
function embeddedAddressForm(hostPart: string, ip: string): string | undefined {
  // Separators all become '-', so `1.2.3.4`, `1_2_3_4` and `1-2-3-4` read alike.
  const text = `-${hostPart.replace(DOTS_AND_UNDERSCORES, '-')}-`;
  const containsRun = (run: string) => {
    let from = 0;
    for (;;) {
      const at = text.indexOf(run, from);
      if (at < 0) return false;
      const before = text.charCodeAt(at - 1);
      const after = text.charCodeAt(at + run.length);
      const isHexDigit = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
      if (!isHexDigit(before) && !isHexDigit(after)) return true;
      from = at + 1;
    }
  };
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) {
    const quad = ipv4Octets(v4);
    const reversed = [...quad].reverse();
    const padded = (octets: number[]) => octets.map((o) => String(o).padStart(3, '0'));
    const candidates: [string, string][] = [
      [quad.join('-'), 'dashed'],
      [reversed.join('-'), 'reversed'],
      [padded(quad).join(''), 'zero-padded'],
      [padded(reversed).join(''), 'zero-padded reversed'],
      [padded(quad).join('-'), 'zero-padded'],
      [quad.map((o) => o.toString(16).padStart(2, '0')).join(''), 'hex'],
    ];
    for (const [run, form] of candidates) if (containsRun(run)) return form;
    // ISPs often leave out the first octet they own in every name of a pool: `c-2-3-4.isp.net`.
    if (containsRun(quad.slice(1).join('-')) || containsRun(reversed.slice(0, 3).join('-'))) return 'partial';
    return undefined;
  }
  const groups = parseIPv6(ip);
  if (!groups) return undefined;
  const hex = groups.map((g) => g.toString(16));
  for (let i = 0; i + 4 <= 8; i++) {
    const window = hex.slice(i, i + 4);
    if (window.every((g) => g === '0')) continue;
    if (containsRun(window.join('-'))) return 'ipv6 groups';
  }
  return undefined;
}
