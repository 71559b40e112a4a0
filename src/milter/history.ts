/**
 * The milter's history writer: each evaluated message's row goes to the store after its reply, so the mail flow
 * never waits on a commit. A failed write is logged (`event: "milter.history"`) and counted in
 * `mailtrust_milter_history_failures_total`; the message keeps the action it was given. Writes in flight are
 * bounded (rows beyond the bound are counted as failures, never queued without limit) and awaited on close.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { NewMessage, Store } from '../store/types.js';

/** Writes in flight at most; a store this far behind is as good as down. */
export const MAX_HISTORY_WRITES_IN_FLIGHT = 1_000;

export interface HistoryWriter {
  /** Starts writing `row`; never throws, never blocks. */
  save(row: NewMessage): void;
  /** Writes in flight now. */
  readonly inFlight: number;
  /** Resolves once every write started so far has ended (stored or failed). */
  settled(): Promise<void>;
}

/** Failed history writes, registered on the service's registry. */
function failureCounter(registry: Registry | undefined): Counter | undefined {
  if (!registry) return undefined;
  const name = 'mailtrust_milter_history_failures_total';
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({
      name,
      help: 'Evaluated milter messages whose history row could not be stored (the message was still handled)',
      registers: [registry],
    })
  );
}

export function historyWriter(
  store: Pick<Store, 'saveMessage'>,
  options: { logger?: Logger | undefined; registry?: Registry | undefined; maxInFlight?: number } = {},
): HistoryWriter {
  const failures = failureCounter(options.registry);
  const maxInFlight = options.maxInFlight ?? MAX_HISTORY_WRITES_IN_FLIGHT;
  const writes = new Set<Promise<void>>();
  const failed = (row: NewMessage, error: unknown) => {
    failures?.inc();
    options.logger?.error(
      { event: 'milter.history', id: row.id, verdict: row.evaluation.verdict, action: row.action, err: error },
      'could not store the message history',
    );
  };
  return {
    save(row) {
      if (writes.size >= maxInFlight) {
        failed(row, new Error(`${writes.size} history writes already in flight`));
        return;
      }
      const write = Promise.resolve()
        .then(() => store.saveMessage(row))
        .catch((error: unknown) => failed(row, error))
        .finally(() => writes.delete(write));
      writes.add(write);
    },
    get inFlight() {
      return writes.size;
    },
    async settled() {
      while (writes.size > 0) await Promise.allSettled([...writes]);
    },
  };
}
