/**
 * Kysely's dialect for one better-sqlite3 connection, with two changes from the stock `SqliteDialect`:
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

class SqliteConnection implements DatabaseConnection {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
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
    // Errors become rejections (not synchronous throws) so transactions roll back as with any driver.
    try {
      const statement = this.#prepare(compiled.sql);
      const parameters = compiled.parameters as unknown[];
      if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
      const { changes } = statement.run(parameters);
      return Promise.resolve({ numAffectedRows: BigInt(changes), rows: [] });
    } catch (error) {
      return Promise.reject(error as Error);
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

  constructor(db: Database.Database) {
    this.#db = db;
    this.#connection = new SqliteConnection(db);
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

  constructor(db: Database.Database) {
    this.#db = db;
  }

  createDriver(): Driver {
    return new SqliteDriver(this.#db);
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
