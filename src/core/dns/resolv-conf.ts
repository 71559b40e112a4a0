import { readFileSync } from 'node:fs';
import { parseServerAddress, type ServerAddress } from './transport.js';

/**
 * The system's DNS servers: the `nameserver` lines of resolv.conf(5), in order. When the file is missing or names
 * none, the resolver library's own default applies: the local host.
 */
export function systemServers(path = '/etc/resolv.conf'): ServerAddress[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '';
  }
  return parseResolvConf(text);
}

/** Parses resolv.conf text into server addresses (unparseable entries are skipped). */
export function parseResolvConf(text: string): ServerAddress[] {
  const servers: ServerAddress[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!match) continue;
    // A scoped IPv6 address (fe80::1%eth0) cannot be used by a UDP socket send without its scope; skip it.
    const address = parseServerAddress(match[1]!);
    if (address) servers.push(address);
  }
  return servers.length > 0 ? servers : [{ host: '127.0.0.1', port: 53 }];
}
