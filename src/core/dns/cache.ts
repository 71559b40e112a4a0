/**
 * A DNS cache in front of any querier (docs/dns.md).
 *
 * - Positive answers are kept for their TTL (RFC 1035 §3.2.1, RFC 2181 §8), negative ones (NXDOMAIN, NODATA) for
 *   the negative TTL derived from the SOA (RFC 2308 §5); a TTL of 0 is not cached.
 * - Timeouts, SERVFAIL and REFUSED are not cached, so the next evaluation asks again.
 * - Identical queries in flight share one network exchange.
 * - The key is the exact query (lower-cased name and type). The number of entries is bounded; the oldest
 *   entries go first when it is full.
 */
import { fromCache, type QueryOutcome, type Querier } from './querier.js';
import { isVoidDnsFailure, type QueryType } from './types.js';
import { lowerCaseName } from './names.js';

export interface DnsCacheOptions {
  /** Milliseconds since some epoch; injectable so tests can move time. */
  clock?: () => number;
  /** Upper bound on cached entries (default 10,000). */
  maxEntries?: number;
}

interface Entry {
  outcome: QueryOutcome;
  expiresAt: number;
}

function cacheKey(name: string, type: QueryType): string {
  return `${type} ${lowerCaseName(name)}`;
}

export class CachingQuerier implements Querier {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<QueryOutcome>>();
  private readonly clock: () => number;
  private readonly maxEntries: number;

  constructor(
    private readonly inner: Querier,
    options: DnsCacheOptions = {},
  ) {
    this.clock = options.clock ?? (() => performance.timeOrigin + performance.now());
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Number of live entries (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  /** A live entry's outcome (TTL counted down), without waiting; undefined when the network must be asked. */
  peek(name: string, type: QueryType): QueryOutcome | undefined {
    const key = cacheKey(name, type);
    const cached = this.entries.get(key);
    if (!cached) return undefined;
    const now = this.clock();
    if (cached.expiresAt > now) {
      const remaining = Math.max(0, Math.floor((cached.expiresAt - now) / 1000));
      return fromCache(cached.outcome, remaining);
    }
    this.entries.delete(key);
    return undefined;
  }

  async query(name: string, type: QueryType): Promise<QueryOutcome> {
    const known = this.peek(name, type);
    if (known) return known;
    const key = cacheKey(name, type);
    const pending = this.inFlight.get(key);
    if (pending) {
      const outcome = await pending;
      return fromCache(outcome, outcome.ttl);
    }
    const promise = this.inner.query(name, type);
    this.inFlight.set(key, promise);
    try {
      const outcome = await promise;
      const cacheable = outcome.ok || isVoidDnsFailure(outcome.kind);
      if (cacheable && outcome.ttl > 0) {
        if (this.entries.size >= this.maxEntries) {
          const oldest = this.entries.keys().next();
          if (!oldest.done) this.entries.delete(oldest.value);
        }
        this.entries.set(key, { outcome, expiresAt: this.clock() + outcome.ttl * 1000 });
      }
      return outcome;
    } finally {
      this.inFlight.delete(key);
    }
  }
}
