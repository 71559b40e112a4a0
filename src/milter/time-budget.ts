/**
 * The time budget of one message's evaluation: a view of the shared resolver whose lookups still pending when the
 * budget runs out answer `timeout` at once, so the checks waiting on them end as temperror (RFC 8601 §2.7.1) and
 * the MTA gets its reply well within its own content timeout. The shared cache stays shared: answers that do
 * arrive later still fill it for the next message.
 */
import { DnsClient, type DnsAnswer, type QueryOutcome, type QueryType, type Resolver } from '../core/index.js';

/**
 * A function racing a lookup against the budget: one listener on `signal` for all the lookups of a message (an
 * event listener per lookup costs more than the lookup answered from the cache).
 */
function budgetRace(signal: AbortSignal): <T>(pending: Promise<T>, late: () => T) => Promise<T> {
  const spent = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return <T>(pending: Promise<T>, late: () => T) =>
    signal.aborted ? Promise.resolve(late()) : Promise.race([pending, spent.then(late)]);
}

const timedOut = <T>(): DnsAnswer<T> => ({ ok: false, kind: 'timeout' });

/**
 * A resolver over `base` whose pending lookups answer `timeout` once `signal` aborts. A `DnsClient` stays a
 * `DnsClient` (the evaluation still records its query trace).
 *
 * An answer the base knows without waiting (zone data, a live cache entry) is never late: until the budget is
 * spent it is given at once, as the base gives it, so an evaluation from a warm cache runs without a promise per
 * question, as `evaluate()` does (docs/performance.md). Once the budget is spent every lookup answers `timeout`.
 */
export function budgetedResolver(base: Resolver, signal: AbortSignal): Resolver {
  const raceAbort = budgetRace(signal);
  if (base instanceof DnsClient) {
    return new DnsClient({
      peek: (name: string, type: QueryType): QueryOutcome | undefined =>
        signal.aborted ? undefined : base.peek(name, type),
      query(name: string, type: QueryType): Promise<QueryOutcome> {
        const started = Date.now();
        return raceAbort(base.query(name, type), (): QueryOutcome => ({
          ok: false,
          kind: 'timeout',
          ttl: 0,
          source: 'network',
          ms: Date.now() - started,
        }));
      },
    });
  }
  const budgeted: Resolver = {
    txt: (name) => raceAbort(base.txt(name), timedOut<string>),
    a: (name) => raceAbort(base.a(name), timedOut<string>),
    aaaa: (name) => raceAbort(base.aaaa(name), timedOut<string>),
    mx: (name) => raceAbort(base.mx(name), timedOut<{ priority: number; exchange: string }>),
    ptr: (ip) => raceAbort(base.ptr(ip), timedOut<string>),
  };
  if (base.known) {
    const known = base.known.bind(base);
    budgeted.known = (kind, name) => (signal.aborted ? undefined : known(kind, name));
  }
  return budgeted;
}
