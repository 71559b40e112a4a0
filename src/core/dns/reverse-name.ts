/** Reverse-mapping names for PTR lookups: `in-addr.arpa` (RFC 1035 §3.5) and `ip6.arpa` (RFC 3596 §2.5). */
import { isIPv4Mapped, parseIPv4, parseIPv6 } from './ip-address.js';

/**
 * The name to query PTR records for an IP address, lower case and without the trailing dot, or undefined when
 * `ip` is not an IPv4 or IPv6 address.
 *
 * `192.0.2.1` → `1.2.0.192.in-addr.arpa`; `2001:db8::1` → 32 nibbles, least significant first, then `ip6.arpa`.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2, what a dual-stack socket reports for an
 * IPv4 client) is the IPv4 host, so it maps to `in-addr.arpa`.
 */
export function reverseName(ip: string): string | undefined {
  const quad = parseIPv4(ip);
  if (quad) return `${quad.reverse().join('.')}.in-addr.arpa`;
  const groups = parseIPv6(ip);
  if (!groups) return undefined;
  if (isIPv4Mapped(groups)) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return `${low & 0xff}.${low >> 8}.${high & 0xff}.${high >> 8}.in-addr.arpa`;
  }
  const nibbles: string[] = [];
  for (let i = 7; i >= 0; i--) {
    const group = groups[i] ?? 0;
    for (let shift = 0; shift < 16; shift += 4) nibbles.push(((group >> shift) & 0xf).toString(16));
  }
  return `${nibbles.join('.')}.ip6.arpa`;
}
