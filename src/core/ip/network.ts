/** IP networks in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3) and membership (RFC 7208 §5.6). */
import { parseIpAddress, type IpAddress } from './address.js';

/** An IP network: an address and a prefix length. */
export interface IpNetwork {
  address: IpAddress;
  prefix: number;
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

/** True when the address lies in any of the networks; an unparsable address text is in none. */
export function inAnyNetwork(ip: string | IpAddress, networks: readonly IpNetwork[]): boolean {
  const address = typeof ip === 'string' ? parseIpAddress(ip) : ip;
  return address !== undefined && networks.some((network) => inNetwork(address, network.address, network.prefix));
}
