/** Reverse-mapping names for PTR lookups: `in-addr.arpa` (RFC 1035 §3.5) and `ip6.arpa` (RFC 3596 §2.5). */
import { ipv4Octets, parseIpAddress, type IpAddress } from '../ip/address.js';

/**
 * The name to query PTR records for an IP address, lower case and without the trailing dot, or undefined when
 * `ip` is not an IPv4 or IPv6 address.
 *
 * `192.0.2.1` → `1.2.0.192.in-addr.arpa`; `2001:db8::1` → 32 nibbles, least significant first, then `ip6.arpa`.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2, what a dual-stack socket reports for an
 * IPv4 client) is the IPv4 host, so it maps to `in-addr.arpa`.
 */
export function reverseName(ip: string): string | undefined {
  const address = parseIpAddress(ip);
  return address === undefined ? undefined : addressReverseName(address);
}

/** {@link reverseName} of an address already parsed. */
export function addressReverseName(ip: IpAddress): string {
  if (ip.family === 4) {
    const [a, b, c, d] = ipv4Octets(ip.value);
    return `${d}.${c}.${b}.${a}.in-addr.arpa`;
  }
  const hex = ip.value.toString(16).padStart(32, '0');
  let name = '';
  for (let i = 31; i >= 0; i--) name += `${hex[i]}.`;
  return `${name}ip6.arpa`;
}
