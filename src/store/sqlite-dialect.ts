/**
 * Kysely's dialect for one better-sqlite3 connection, with three changes from the stock `SqliteDialect`:
 *
 * - Transactions start with `BEGIN IMMEDIATE`, which takes the write lock at once. A plain (deferred) `BEGIN` that
 *   reads and then writes fails with `SQLITE_BUSY` when another process wrote in between, whatever the busy
 *   timeout (SQLite's "Transactions" page: a read transaction whose snapshot is stale cannot become a write one,
 *   `SQLITE_BUSY_SNAPSHOT`).
 *   With `IMMEDIATE` the busy timeout applies to the lock itself and the transaction then always succeeds.
 * - Prepared statements are cached by SQL text, since the store runs the same few queries all day.
 */
import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

const STATEMENT_CACHE = 200;

/** The waits between tries of a statement refused with `SQLITE_BUSY`, the last one repeated (as SQLite's own). */
const BUSY_RETRY_DELAYS_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/**
 * `SQLITE_BUSY`, or `SQLITE_BUSY_RECOVERY`/`SQLITE_BUSY_TIMEOUT`: a lock another connection holds, worth waiting
 * for. Not `SQLITE_BUSY_SNAPSHOT`, which no wait cures.
 */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY' || code === 'SQLITE_BUSY_TIMEOUT';
}

class SqliteConnection implements DatabaseConnection {
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  #prepare(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      if (this.#statements.size >= STATEMENT_CACHE) this.#statements.clear();
      this.#statements.set(text, statement);
    }
    return statement;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return this.#attempt<R>(compiled, 0, 0);
  }

  #attempt<R>(compiled: CompiledQuery, tries: number, waitedMs: number): Promise<QueryResult<R>> {
    // Errors become rejections (not synchronous throws) so transactions roll back as with any driver.
    try {
      const statement = this.#prepare(compiled.sql);
      const parameters = compiled.parameters as unknown[];
      if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
      const { changes } = statement.run(parameters);
      return Promise.resolve({ numAffectedRows: BigInt(changes), rows: [] });
    } catch (error) {
      if (!isBusy(error) || waitedMs >= this.#busyTimeoutMs) return Promise.reject(error as Error);
      const delay = Math.min(
        BUSY_RETRY_DELAYS_MS[Math.min(tries, BUSY_RETRY_DELAYS_MS.length - 1)] as number,
        this.#busyTimeoutMs - waitedMs,
      );
      return new Promise((resolve) => setTimeout(resolve, delay)).then(() =>
        this.#attempt<R>(compiled, tries + 1, waitedMs + delay),
      );
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the store does not stream queries');
  }
}

/** One connection shared in turn: a query waits until the previous one (or transaction) releases it. */
class SqliteDriver implements Driver {
  readonly #db: Database.Database;
  readonly #connection: SqliteConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(db: Database.Database, busyTimeoutMs: number) {
    this.#db = db;
    this.#connection = new SqliteConnection(db, busyTimeoutMs);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT (SQLITE_BUSY) may already have ended the transaction; then there is nothing to roll back.
    if (this.#db.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    this.#db.close();
  }
}

export class ImmediateSqliteDialect implements Dialect {
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;

  /** `db` must run with `busy_timeout = 0`: this dialect waits for locks itself, up to `busyTimeoutMs`. */
  constructor(db: Database.Database, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  createDriver(): Driver {
    return new SqliteDriver(this.#db, this.#busyTimeoutMs);
  }

  createQueryCompiler(): SqliteQueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): SqliteAdapter {
    return new SqliteAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): SqliteIntrospector {
    return new SqliteIntrospector(db);
  }
}
