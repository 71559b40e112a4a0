/**
 * mailtrust's DNS layer (docs/dns.md): `createResolver()` builds the `Resolver` every check uses.
 *
 * Network → cache → typed client, with zone data from `--zone` either alone (offline) or in front of the network.
 */
import { CachingQuerier } from './cache.js';
import { DnsClient } from './client.js';
import { NetworkQuerier } from './network.js';
import type { Querier } from './querier.js';
import type { ZoneRecord } from './records.js';
import { systemServers } from './resolv-conf.js';
import { parseServerAddress, type ServerAddress } from './transport.js';
import { OverlayQuerier, ZoneQuerier } from './zone-querier.js';

export interface ResolverOptions {
  /** DNS servers as `HOST`, `HOST:PORT` or `[IPv6]:PORT`; default: the nameservers of /etc/resolv.conf. */
  servers?: string[];
  /** Time allowed for one exchange with one server, ms (default 2000). */
  timeoutMs?: number;
  /** Extra rounds over all servers after the first (default 1). */
  retries?: number;
  /** Cache answers by TTL, negative answers by RFC 2308, and merge identical queries in flight (default true). */
  cache?: boolean;
  /** Zone data: alone, the resolver is offline and answers only from it; with `servers`, it overlays them. */
  zone?: ZoneRecord[];
  /** Clock for TTL expiry in ms (default: the real clock). */
  clock?: () => number;
  /** Aborts pending queries (they then report `timeout`). */
  signal?: AbortSignal;
}

/**
 * Builds a resolver. Throws a TypeError for a server address that cannot be parsed (a usage error, not a DNS
 * result); DNS trouble itself never throws but comes back as a failure kind.
 */
export function createResolver(options: ResolverOptions = {}): DnsClient {
  let querier: Querier | undefined;
  if (options.servers !== undefined || options.zone === undefined) {
    const servers: ServerAddress[] =
      options.servers === undefined
        ? systemServers()
        : options.servers.map((text) => {
            const address = parseServerAddress(text);
            if (!address) throw new TypeError(`not a DNS server address: ${JSON.stringify(text)} (use HOST[:PORT])`);
            return address;
          });
    if (servers.length === 0) throw new TypeError('no DNS servers given');
    querier = new NetworkQuerier({
      servers,
      timeoutMs: options.timeoutMs ?? 2000,
      retries: options.retries ?? 1,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.cache ?? true) {
      querier = new CachingQuerier(querier, options.clock ? { clock: options.clock } : {});
    }
  }
  if (options.zone !== undefined) {
    const zone = new ZoneQuerier(options.zone);
    querier = querier ? new OverlayQuerier(zone.index, querier) : zone;
  }
  return new DnsClient(querier!);
}

export { DnsClient, QueryTrace, formatRecordData } from './client.js';
export { traceResolver } from './traced-resolver.js';
export { CachingQuerier } from './cache.js';
export { checkQueryName } from './names.js';
export { ZoneIndex, findBrokenCnameChain } from './zone-index.js';
export { createZoneResolver } from './zone-querier.js';
export { parseZoneFile } from './zonefile.js';
export { reverseName } from './reverse-name.js';
export { parseServerAddress } from './transport.js';
export type { ServerAddress } from './transport.js';
export type { QueryOutcome, Querier, QuerySource } from './querier.js';
export type { RecordData } from './wire.js';
export type { ZoneRecord, ZoneRecordType, SoaData } from './records.js';
export type { DnsAnswer, DnsFailureKind, MxRecord, QueryType, Resolver, TraceEntry } from './types.js';
export type { TemporaryDnsFailure, VoidDnsFailure } from './types.js';
export { isTemporaryDnsFailure, isVoidDnsFailure } from './types.js';
export { memoizeResolver } from './memo.js';
