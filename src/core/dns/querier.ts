import type { RecordData } from './wire.js';
import type { DnsFailureKind, QueryType } from './types.js';

/**
 * The outcome of one query at the layer below the typed `Resolver`: records of any type, or a failure.
 * `ttl` is the answer's TTL; for failures the negative-caching TTL of RFC 2308 §5 (0 = do not cache).
 */
export type QueryOutcome =
  | { ok: true; records: RecordData[]; ttl: number; source: QuerySource; ms: number }
  | { ok: false; kind: DnsFailureKind; ttl: number; source: QuerySource; ms: number };

export type QuerySource = 'network' | 'cache' | 'zone';

/** The same outcome (records shared) as the cache hands it out: its TTL now, source `cache`, no time spent. */
export function fromCache(outcome: QueryOutcome, ttl: number): QueryOutcome {
  return outcome.ok
    ? { ok: true, records: outcome.records, ttl, source: 'cache', ms: 0 }
    : { ok: false, kind: outcome.kind, ttl, source: 'cache', ms: 0 };
}

/** Anything that answers queries by name and type: the network client, the cache, a zone. */
export interface Querier {
  query(name: string, type: QueryType): Promise<QueryOutcome>;
  /**
   * The outcome when it is known without waiting (zone data, a live cache entry), else undefined. Lets the typed
   * client answer from memory without a chain of promises; `query()` must give the same outcome.
   */
  peek?(name: string, type: QueryType): QueryOutcome | undefined;
}
