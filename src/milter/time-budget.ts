/**
 * The time budget of one message's evaluation: a view of the shared resolver whose lookups still pending when the
 * budget runs out answer `timeout` at once, so the checks waiting on them end as temperror (RFC 8601 §2.7.1) and
 * the MTA gets its reply well within its own content timeout. The shared cache stays shared: answers that do
 * arrive later still fill it for the next message.
 */
import { DnsClient, type DnsAnswer, type QueryOutcome, type QueryType, type Resolver } from '../core/index.js';

/** Resolves to `late` when `signal` aborts before `pending` settles. */
function raceAbort<T>(pending: Promise<T>, signal: AbortSignal, late: () => T): Promise<T> {
  if (signal.aborted) return Promise.resolve(late());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(late());
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

const timedOut = <T>(): DnsAnswer<T> => ({ ok: false, kind: 'timeout' });

/**
 * A resolver over `base` whose pending lookups answer `timeout` once `signal` aborts. A `DnsClient` stays a
 * `DnsClient` (the evaluation still records its query trace).
 */
export function budgetedResolver(base: Resolver, signal: AbortSignal): Resolver {
  if (base instanceof DnsClient) {
    return new DnsClient({
      query(name: string, type: QueryType): Promise<QueryOutcome> {
        const started = Date.now();
        return raceAbort(base.query(name, type), signal, () => ({
          ok: false,
          kind: 'timeout',
          ttl: 0,
          source: 'network',
          ms: Date.now() - started,
        }));
      },
    });
  }
  return {
    txt: (name) => raceAbort(base.txt(name), signal, timedOut<string>),
    a: (name) => raceAbort(base.a(name), signal, timedOut<string>),
    aaaa: (name) => raceAbort(base.aaaa(name), signal, timedOut<string>),
    mx: (name) => raceAbort(base.mx(name), signal, timedOut<{ priority: number; exchange: string }>),
    ptr: (ip) => raceAbort(base.ptr(ip), signal, timedOut<string>),
  };
}
