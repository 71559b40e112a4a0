/**
 * IP addresses, parsed once for every check: IPv4 dotted quads (RFC 1035 §3.4.1, RFC 7208 §5.6 `ip4-network`),
 * IPv6 text (RFC 4291 §2.2) and IPv4-mapped IPv6 (RFC 4291 §2.5.5.2), with their text forms (RFC 5952).
 *
 * Parsed by hand, character by character (no split, no regular expression, bounded by the input length): this runs
 * several times per message. Zone indexes (`fe80::1%eth0`) are not addresses here.
 */

/**
 * A client or network address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. {@link parseIpAddress}
 * gives an IPv4-mapped IPv6 address as `family: 4`, the IPv4 host it stands for (RFC 7208 §5, RFC 8601 §3: iprev
 * and SPF treat it as IPv4).
 */
export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

/** Parses a strict dotted quad (four decimal octets, no leading zeros) into its 32-bit value, or undefined. */
export function parseIPv4(text: string): number | undefined {
  if (text.length < 7 || text.length > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0) return undefined;
      value = value * 256 + octet;
      parts++;
      octet = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return undefined;
    if (digits > 0 && octet === 0) return undefined; // leading zero
    octet = octet * 10 + (c - 0x30);
    digits++;
    if (octet > 255) return undefined;
  }
  return parts === 4 ? value : undefined;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Parses IPv6 text (RFC 4291 §2.2: hex groups, at most one `::`, an optional trailing dotted quad) into its 8
 * 16-bit groups, or undefined.
 */
export function parseIPv6(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const head: number[] = [];
  const tail: number[] = [];
  let current = head;
  let compressed = false;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return undefined;
    compressed = true;
    current = tail;
    i = 2;
    if (i === text.length) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  for (;;) {
    // One group: hex digits, or a dotted quad ending the address (RFC 4291 §2.2 item 3).
    let j = i;
    let group = 0;
    while (j < text.length && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      group = group * 16 + h;
      j++;
    }
    if (j < text.length && text.charCodeAt(j) === 0x2e) {
      const quad = parseIPv4(text.slice(i));
      if (quad === undefined) return undefined;
      current.push(quad >>> 16, quad & 0xffff);
      break;
    }
    if (j === i || j - i > 4) return undefined;
    current.push(group);
    if (j === text.length) break;
    if (text.charCodeAt(j) !== 0x3a) return undefined;
    if (text.charCodeAt(j + 1) === 0x3a) {
      // `::` stands for one or more zero groups (RFC 4291 §2.2 item 2).
      if (compressed) return undefined;
      compressed = true;
      current = tail;
      i = j + 2;
      if (i === text.length) break;
    } else {
      i = j + 1;
      if (i === text.length) return undefined;
    }
    if (head.length + tail.length > 8) return undefined;
  }
  const total = head.length + tail.length;
  if (compressed ? total > 7 : total !== 8) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...tail];
}

/** True for the groups of an IPv4-mapped address `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2). */
export function isIPv4Mapped(groups: readonly number[]): boolean {
  return (
    groups.length === 8 &&
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  );
}

/** The IPv4 value an IPv4-mapped address stands for (its last 32 bits). */
function mappedIPv4(groups: readonly number[]): number {
  return (groups[6] ?? 0) * 0x10000 + (groups[7] ?? 0);
}

function groupsToBigint(groups: readonly number[]): bigint {
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** The 8 16-bit groups of a 128-bit IPv6 value. */
export function ipv6Groups(value: bigint): number[] {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return groups;
}

/** The 4 octets of a 32-bit IPv4 value, most significant first. */
export function ipv4Octets(value: number): [number, number, number, number] {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** Parses IPv6 text into a 128-bit number (an IPv4-mapped address stays IPv6: an `ip6` network, RFC 7208 §5.6). */
export function parseIPv6Number(text: string): bigint | undefined {
  const groups = parseIPv6(text);
  return groups ? groupsToBigint(groups) : undefined;
}

/**
 * Parses an address: a dotted quad, or IPv6 text. IPv4-mapped IPv6 (`::ffff:1.2.3.4`, RFC 4291 §2.5.5.2) becomes
 * IPv4, as RFC 7208 §5 requires for matching `ip4` and `a`/`mx` A records and RFC 8601 §3 for iprev.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const groups = parseIPv6(text);
  if (groups === undefined) return undefined;
  if (isIPv4Mapped(groups)) return { family: 4, value: mappedIPv4(groups) };
  return { family: 6, value: groupsToBigint(groups) };
}

/** Address text as a resolver answer gives it, parsed in the family asked for; undefined when it does not parse. */
export function parseAnswerAddress(text: string, family: 4 | 6): IpAddress | undefined {
  if (family === 4) {
    const v4 = parseIPv4(text);
    return v4 === undefined ? undefined : { family: 4, value: v4 };
  }
  const v6 = parseIPv6Number(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** Dotted-quad text of an IPv4 value. */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

/**
 * Formats 8 groups in the RFC 5952 canonical form: lower-case hex without leading zeros (§4.1, §4.3), the longest
 * run of two or more zero groups shortened to `::`, the first one on a tie (§4.2); IPv4-mapped addresses end in a
 * dotted quad (§5).
 */
export function formatIPv6(groups: readonly number[]): string {
  if (isIPv4Mapped(groups)) return `::ffff:${formatIPv4(mappedIPv4(groups))}`;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Text of an address: dotted quad, or RFC 5952 canonical IPv6 (what `%{c}` shows, RFC 7208 §7.3). */
export function formatIpAddress(ip: IpAddress): string {
  return ip.family === 4 ? formatIPv4(ip.value) : formatIPv6(ipv6Groups(ip.value));
}

/** The RFC 5952 canonical form of IPv6 text, or undefined when it is not an IPv6 address. */
export function canonicalIPv6(text: string): string | undefined {
  const groups = parseIPv6(text);
  return groups ? formatIPv6(groups) : undefined;
}

/**
 * The one text form addresses are compared and shown in: a dotted quad for IPv4 and for IPv4-mapped IPv6
 * (RFC 4291 §2.5.5.2), RFC 5952 canonical text for other IPv6; undefined when `text` is not an address.
 */
export function canonicalIpText(text: string): string | undefined {
  if (parseIPv4(text) !== undefined) return text; // a strict dotted quad is its own canonical form
  const groups = parseIPv6(text);
  if (groups === undefined) return undefined;
  return isIPv4Mapped(groups) ? formatIPv4(mappedIPv4(groups)) : formatIPv6(groups);
}

/**
 * An IPv4-mapped IPv6 address (what a dual-stack socket reports for an IPv4 peer, RFC 4291 §2.5.5.2) as its
 * dotted quad; any other text as given.
 */
export function unmapIPv4(text: string): string {
  const groups = parseIPv6(text);
  return groups !== undefined && isIPv4Mapped(groups) ? formatIPv4(mappedIPv4(groups)) : text;
}

/**
 * The `%{i}` form (RFC 7208 §7.3): dotted quad for IPv4, 32 dot-separated nibbles for IPv6. Nibbles are upper
 * case, as pyspf and the openspf suite's expected explanations have them (DNS compares names case-insensitively).
 */
export function dottedIpForm(ip: IpAddress): string {
  if (ip.family === 4) return formatIPv4(ip.value);
  const hex = ip.value.toString(16).toUpperCase().padStart(32, '0');
  return hex.split('').join('.');
}
