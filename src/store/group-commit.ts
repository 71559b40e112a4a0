/**
 * Group commit for SQLite: writes that arrive together share one transaction, so one fsync (`synchronous=FULL`)
 * commits them all. A commit costs one fsync of the WAL (milliseconds on most disks), and better-sqlite3 runs it
 * on the event loop, so without grouping a store serves at most one fsync's worth of writes at a time, whatever
 * the number of SMTP sessions waiting.
 *
 * A write joins the batch that starts two turns of the event loop later (`GATHER_TURNS`); each write runs in its
 * own SAVEPOINT, so one that fails (a duplicate id) is rolled back and rejected alone, and every caller's promise
 * settles only after the COMMIT of its batch is on disk: after the COMMIT itself (`synchronous = FULL`), or, when
 * the store flushes the log off the event loop (`durable`, see wal-sync.ts), after that flush — the next batch
 * commits meanwhile. A failed COMMIT rejects the whole batch (nothing of it was written); so does a failed flush
 * (then nothing of it is acknowledged).
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

interface PendingWrite {
  work: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The most writes one transaction takes; more wait for the next. */
const MAX_BATCH = 256;

/**
 * Turns of the event loop a batch waits for before it commits. The COMMIT (and its fsync) blocks the loop, so writes
 * only gather while it turns: with one turn a batch held the writes of a single I/O phase (about 5 of 20 SMTP
 * sessions' messages in `npm run bench:serve`); a second turn lets the sessions whose data arrived in that phase
 * finish their evaluation and join (about 8), for a third fewer commits and fsyncs. A turn is one pass over the
 * I/O that is ready, not a timer: on an idle loop a lone write still commits within microseconds.
 */
const GATHER_TURNS = 2;

/** The savepoint statements around each write, compiled once (they run for every message stored). */
const SAVEPOINT = CompiledQuery.raw('savepoint write');
const RELEASE = CompiledQuery.raw('release write');
const ROLLBACK_TO = CompiledQuery.raw('rollback to write');

/** Calls `fn` after `turns` turns of the event loop (each a `setImmediate`, run after that turn's I/O). */
function afterTurns(turns: number, fn: () => void): void {
  setImmediate(turns <= 1 ? fn : () => afterTurns(turns - 1, fn));
}

/** What happens after a batch's COMMIT, before its writers are told it is committed. */
export interface AfterCommit {
  /** Resolves once the committed batch is on disk. */
  durable(): Promise<void>;
  /** Told after every successful COMMIT (the checkpointer's poke). */
  committed(): void;
}

export class GroupCommit {
  readonly #db: Kysely<Database>;
  #pending: PendingWrite[] = [];
  #scheduled = false;
  #afterCommit: AfterCommit | undefined;
  /** Batches committed whose flush has not ended yet. */
  readonly #flushing = new Set<Promise<void>>();

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** From now on, batches are acknowledged after `afterCommit.durable()` rather than at their COMMIT. */
  setAfterCommit(afterCommit: AfterCommit | undefined): void {
    this.#afterCommit = afterCommit;
  }

  /** Resolves when no batch is waiting, committing or being flushed (before the store closes). */
  async idle(): Promise<void> {
    while (this.#scheduled || this.#flushing.size > 0) {
      await Promise.allSettled([...this.#flushing]);
      if (this.#scheduled) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Runs `work` in the next batch; resolves with its result once the batch is committed. */
  run<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        afterTurns(GATHER_TURNS, () => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0, MAX_BATCH);
    const outcomes: Outcome[] = [];
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const write of batch) {
          await trx.executeQuery(SAVEPOINT);
          try {
            const value = await write.work(trx);
            await trx.executeQuery(RELEASE);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await trx.executeQuery(ROLLBACK_TO);
            await trx.executeQuery(RELEASE);
            outcomes.push({ ok: false, error });
          }
        }
      });
      const settle = () =>
        batch.forEach((write, index) => {
          const outcome = outcomes[index] as Outcome;
          if (outcome.ok) write.resolve(outcome.value);
          else write.reject(outcome.error);
        });
      const afterCommit = this.#afterCommit;
      if (afterCommit === undefined) {
        settle();
      } else {
        afterCommit.committed();
        const flushed = afterCommit.durable().then(settle, (error: unknown) => {
          for (const write of batch) write.reject(error);
        });
        this.#flushing.add(flushed);
        void flushed.finally(() => this.#flushing.delete(flushed));
      }
    } catch (error) {
      for (const write of batch) write.reject(error);
    } finally {
      if (this.#pending.length > 0) setImmediate(() => void this.#flush());
      else this.#scheduled = false;
    }
  }
}
