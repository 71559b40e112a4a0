/**
 * IP addresses as SPF compares them (RFC 7208 §5.6): IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint.
 * Parsed by hand, character by character (no regular expressions, bounded by the input length).
 */
import { formatIPv6 } from '../dns/ip-address.js';

/** A client or network address. An IPv4-mapped IPv6 address is kept as `v4` (RFC 7208 §5: treat it as IPv4). */
export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

/** Parses a strict dotted quad (RFC 7208 §5.6 `ip4-network`: four `dec-octet`s, no leading zeros). */
export function parseIPv4Number(text: string): number | undefined {
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

/** Parses IPv6 text (RFC 4291 §2.2: hex groups, at most one `::`, an optional trailing dotted quad) into 8 groups. */
export function parseIPv6Groups(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const head: number[] = [];
  const tail: number[] = [];
  let current = head;
  let compressed = false;
  let i = 0;
  if (text.startsWith('::')) {
    compressed = true;
    current = tail;
    i = 2;
    if (i === text.length) return [0, 0, 0, 0, 0, 0, 0, 0];
  } else if (text.charCodeAt(0) === 0x3a) return undefined;
  for (;;) {
    // One group: hex digits, or a dotted quad ending the address.
    let j = i;
    let group = 0;
    while (j < text.length && j - i < 5) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      group = group * 16 + h;
      j++;
    }
    if (j < text.length && text.charCodeAt(j) === 0x2e) {
      const quad = parseIPv4Number(text.slice(i));
      if (quad === undefined) return undefined;
      current.push(quad >>> 16, quad & 0xffff);
      break;
    }
    if (j === i || j - i > 4) return undefined;
    current.push(group);
    if (j === text.length) break;
    if (text.charCodeAt(j) !== 0x3a) return undefined;
    if (text.charCodeAt(j + 1) === 0x3a) {
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

function groupsToBigint(groups: readonly number[]): bigint {
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parses IPv6 text into a 128-bit number. */
export function parseIPv6Number(text: string): bigint | undefined {
  const groups = parseIPv6Groups(text);
  return groups ? groupsToBigint(groups) : undefined;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/**
 * Parses a client IP address. IPv4-mapped IPv6 (`::ffff:1.2.3.4`, RFC 4291 §2.5.5.2) becomes IPv4, as RFC 7208 §5
 * requires for matching `ip4` and `a`/`mx` A records.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIPv4Number(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6Number(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: Number(v6 & 0xffffffffn) };
  return { family: 6, value: v6 };
}

/** True when `ip` lies in `network`/`prefix` of the same family (RFC 7208 §5.6). */
export function inNetwork(ip: IpAddress, network: IpAddress, prefix: number): boolean {
  if (ip.family === 4 && network.family === 4) {
    if (prefix === 0) return true;
    const shift = 32 - prefix;
    return Math.floor(ip.value / 2 ** shift) === Math.floor(network.value / 2 ** shift);
  }
  if (ip.family === 6 && network.family === 6) {
    const shift = BigInt(128 - prefix);
    return ip.value >> shift === network.value >> shift;
  }
  return false;
}

/** Dotted-quad text of an IPv4 number. */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${value & 0xff}`;
}

function groupsOf(value: bigint): number[] {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  return groups;
}

/** Text of an address: dotted quad, or RFC 5952 canonical IPv6 (what `%{c}` shows, RFC 7208 §7.3). */
export function formatIpAddress(ip: IpAddress): string {
  return ip.family === 4 ? formatIPv4(ip.value) : formatIPv6(groupsOf(ip.value));
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

/** Address text as a resolver answer gives it, parsed in the family asked for; undefined when it does not parse. */
export function parseAnswerAddress(text: string, family: 4 | 6): IpAddress | undefined {
  if (family === 4) {
    const v4 = parseIPv4Number(text);
    return v4 === undefined ? undefined : { family: 4, value: v4 };
  }
  const v6 = parseIPv6Number(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** An IP network in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3): an address and a prefix length. */
export interface IpNetwork {
  address: IpAddress;
  prefix: number;
}

/** Parses `ADDRESS/PREFIX` or a bare address (the one host); undefined when either part is invalid. */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const max = address.family === 4 ? 32 : 128;
  if (slash < 0) return { address, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, prefix } : undefined;
}

/** True when the address text lies in any of the networks; an unparsable address is in none. */
export function inAnyNetwork(ipText: string, networks: readonly IpNetwork[]): boolean {
  const ip = parseIpAddress(ipText);
  return ip !== undefined && networks.some((network) => inNetwork(ip, network.address, network.prefix));
}
