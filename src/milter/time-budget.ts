/**
 * The time budget of one message's evaluation: a view of the shared resolver whose lookups still pending when the
 * budget runs out answer `timeout` at once, so the checks waiting on them end as temperror (RFC 8601 §2.7.1) and
 * the MTA gets its reply well within its own content timeout. The shared cache stays shared: answers that do
 * arrive later still fill it for the next message.
 */
import { DnsClient, type DnsAnswer, type QueryOutcome, type QueryType, type Resolver } from '../core/index.js';

/**
 * One message's budget: spent once, when its time runs out or the message ends. A plain flag and a promise made
 * only when a lookup has to wait on it: an AbortController and its event cost more per message than a whole
 * evaluation from a warm cache spends on DNS.
 */
export class MessageBudget {
  private isSpent = false;
  private wake: (() => void) | undefined;
  private spentPromise: Promise<void> | undefined;

  get spent(): boolean {
    return this.isSpent;
  }

  /** Spends the budget: lookups still pending answer `timeout`, and so does every later one. */
  spend(): void {
    if (this.isSpent) return;
    this.isSpent = true;
    this.wake?.();
    this.wake = undefined;
  }

  /** Resolves once the budget is spent. */
  whenSpent(): Promise<void> {
    this.spentPromise ??= this.isSpent
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.wake = resolve;
        });
    return this.spentPromise;
  }
}

/** A function racing a lookup against the budget; `late` gives the answer of a lookup the budget overtook. */
function budgetRace(budget: MessageBudget): <T>(pending: Promise<T>, late: () => T) => Promise<T> {
  return <T>(pending: Promise<T>, late: () => T) =>
    budget.spent ? Promise.resolve(late()) : Promise.race([pending, budget.whenSpent().then(late)]);
}

const timedOut = <T>(): DnsAnswer<T> => ({ ok: false, kind: 'timeout' });

/**
 * A resolver over `base` whose pending lookups answer `timeout` once `budget` is spent. A `DnsClient` stays a
 * `DnsClient` (the evaluation still records its query trace).
 *
 * An answer the base knows without waiting (zone data, a live cache entry) is never late: until the budget is
 * spent it is given at once, as the base gives it, so an evaluation from a warm cache runs without a promise per
 * question, as `evaluate()` does (docs/performance.md). Once the budget is spent every lookup answers `timeout`.
 */
export function budgetedResolver(base: Resolver, budget: MessageBudget): Resolver {
  const raceAbort = budgetRace(budget);
  if (base instanceof DnsClient) {
    return new DnsClient({
      peek: (name: string, type: QueryType): QueryOutcome | undefined =>
        budget.spent ? undefined : base.peek(name, type),
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
    budgeted.known = (kind, name) => (budget.spent ? undefined : known(kind, name));
  }
  return budgeted;
}
