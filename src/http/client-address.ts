/**
 * Who is calling: the TCP peer's address, or — when that peer is one of `http.trustedProxies` (a load balancer)
 * — the client hop it recorded in `X-Forwarded-For`. Rate limits, the loopback rule of the API and logs use it.
 *
 * X-Forwarded-For lists the hops as each proxy saw them, left to right; a client may put anything at the left.
 * So the list is read from the right: trusted proxies are skipped, and the first address that is not one is the
 * client. A malformed entry ends the walk at the last address known to be good.
 */
import type { Context } from 'hono';
import { inAnyNetwork, parseIpAddress, parseNetwork, unmapIPv4, type IpNetwork } from '../core/index.js';

/** Parses CIDR texts that config validation already accepted; a text that does not parse is left out. */
export function parseNetworks(texts: readonly string[]): IpNetwork[] {
  const out: IpNetwork[] = [];
  for (const text of texts) {
    const network = parseNetwork(text);
    if (network) out.push(network);
  }
  return out;
}

/** The TCP peer of a request served by @hono/node-server; undefined when there is none (e.g. `app.request()`). */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return address === undefined ? undefined : unmapIPv4(address);
}

/** The client hop of an X-Forwarded-For value behind trusted proxies, or undefined when none can be taken. */
export function forwardedClient(header: string, trustedProxies: readonly IpNetwork[]): string | undefined {
  const hops = header
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  let client: string | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapIPv4(hopAddress(hops[i] as string));
    if (!parseIpAddress(hop)) break;
    client = hop;
    if (!inAnyNetwork(hop, trustedProxies)) break;
  }
  return client;
}

/** One hop as written: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443` or a bare IPv6 address. */
function hopAddress(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed) return bracketed[1] as string;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  if (v4WithPort) return v4WithPort[1] as string;
  return hop;
}

/**
 * The caller's address: the TCP peer, or the client hop of X-Forwarded-For when the peer is a trusted proxy.
 * Undefined only when the request has no TCP peer at all.
 */
export function clientAddress(c: Context, trustedProxies: readonly IpNetwork[]): string | undefined {
  const peer = peerAddress(c);
  if (peer === undefined) return undefined;
  if (trustedProxies.length === 0 || !inAnyNetwork(peer, trustedProxies)) return peer;
  const header = c.req.header('x-forwarded-for');
  if (header === undefined) return peer;
  return forwardedClient(header, trustedProxies) ?? peer;
}

const LOOPBACK = parseNetworks(['127.0.0.0/8', '::1/128']);

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && inAnyNetwork(address, LOOPBACK);
}
