/**
 * `openStore(url)`: the store on SQLite (`sqlite:PATH`) or PostgreSQL (`postgres://…`, `postgresql://…`), with
 * the schema migrated to this code's version. See docs/store.md.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { guarded, isUnavailable } from './availability.js';
import { StoreUnavailableError, StoreUrlError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import * as messages from './messages.js';
import * as oneTimeTokens from './one-time-tokens.js';
import * as outbox from './outbox.js';
import * as rateLimits from './rate-limits.js';
import * as retention from './retention.js';
import * as sessions from './sessions.js';
import { migrate, type Dialect } from './migrations.js';
import type { Database as Schema } from './schema.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';
import type { StoreContext } from './transactions.js';
import type { Store } from './types.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

export interface OpenStoreOptions {
  /** PostgreSQL: connections in the pool (`databasePool`, default 10). SQLite has one connection. */
  pool?: number;
  logger?: Logger;
}

export type StoreLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; connectionString: string };

/** Reads a `database` URL: `sqlite:PATH` (`sqlite::memory:` for a private in-memory database) or a PostgreSQL URL. */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new StoreUrlError('sqlite: needs a file path, as in sqlite:./mailtrust.db');
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\/./.test(url)) return { dialect: 'postgres', connectionString: url };
  throw new StoreUrlError('use sqlite:PATH or postgres://user@host:5432/db');
}

/** A `ping` that has not answered within this long answers false (`/healthz` must answer within 2 s). */
const PING_TIMEOUT_MS = 1_500;
/** PostgreSQL: how long getting a connection may take before the call fails as unavailable. */
const CONNECT_TIMEOUT_MS = 2_000;
/** PostgreSQL: a query with no answer for this long fails as unavailable (a server that vanished silently). */
const QUERY_TIMEOUT_MS = 30_000;
/** SQLite: how long a write waits for another process's write lock. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

interface SqliteDatabase {
  db: Kysely<Schema>;
  /** The connection under `db`, for the pragmas of `flushOffTheEventLoop`. */
  connection: Database.Database;
}

function openSqlite(path: string): SqliteDatabase {
  let database: Database.Database;
  try {
    database = new Database(path);
    // WAL: readers never block the writer and a commit is one append to the log.
    database.pragma('journal_mode = WAL');
    // A second process (another instance, a CLI) waits for the write lock instead of failing at once — for up to
    // SQLITE_BUSY_TIMEOUT_MS, on a timer (sqlite-dialect.ts), not inside SQLite's busy handler on the event loop.
    database.pragma('busy_timeout = 0');
    // FULL: the WAL is fsynced at every commit. With NORMAL, WAL mode survives a process crash but may lose the
    // last commits on power loss or an OS crash, and the SMTP face has by then answered 250 for them.
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    throw new StoreUnavailableError(`cannot open the SQLite database ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    db: new Kysely<Schema>({ dialect: new ImmediateSqliteDialect(database, SQLITE_BUSY_TIMEOUT_MS) }),
    connection: database,
  };
}

/** How the SQLite store makes commits durable once it runs: flushed off the event loop, or inside the COMMIT. */
interface SqliteDurability {
  walSync: WalSync;
  checkpointer: WalCheckpointer;
}

/**
 * Moves the store's fsyncs off the event loop (wal-sync.ts, wal-checkpointer.ts): the write connection commits with
 * `synchronous = OFF` and no auto-checkpoint, `WalSync` flushes the log before writes are acknowledged, and a
 * worker checkpoints. Only for a database file in WAL mode; otherwise (an in-memory database) or when the log file
 * cannot be opened, commits stay synced inside the COMMIT and this answers undefined.
 */
async function flushOffTheEventLoop(
  path: string,
  connection: Database.Database,
  groupCommit: GroupCommit,
  logger: Logger | undefined,
): Promise<SqliteDurability | undefined> {
  if (connection.memory || connection.pragma('journal_mode', { simple: true }) !== 'wal') return undefined;
  let walSync: WalSync;
  try {
    walSync = await WalSync.open(path);
  } catch (error) {
    logger?.warn({ err: error }, 'store: cannot open the SQLite log file; commits fsync on the event loop');
    return undefined;
  }
  const checkpointer = WalCheckpointer.start(path, {
    onError: (message) => logger?.warn({ event: 'store.checkpoint' }, `store: ${message}`),
  });
  connection.pragma('wal_autocheckpoint = 0');
  connection.pragma('synchronous = OFF');
  groupCommit.setAfterCommit({ durable: () => walSync.sync(), committed: () => checkpointer.committed() });
  return { walSync, checkpointer };
}

/** pg's type parsers, except int8 (`bigint`, epoch milliseconds here) as a number rather than a string. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function openPostgres(connectionString: string, options: OpenStoreOptions): Kysely<Schema> {
  const pool = new pg.Pool({
    connectionString,
    max: options.pool ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types: pgTypes,
  });
  // An idle connection that the server closes emits 'error' on the pool; unhandled, it would end the process.
  // The pool drops that connection and opens a new one on the next query.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'store: idle database connection lost'));
  // A connection can also drop between being checked out and its query being sent; pg then emits 'error' on the
  // client itself, which no pool listener covers. The query fails (and becomes StoreUnavailableError); the
  // listener only keeps the event from ending the process.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.logger?.warn({ err: error }, 'store: database connection lost'));
  });
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/** The database connection of a location, unmigrated (the store's own, also for benchmarks and tests). */
export function openDatabase(location: StoreLocation, options: OpenStoreOptions = {}): Kysely<Schema> {
  return location.dialect === 'sqlite'
    ? openSqlite(location.path).db
    : openPostgres(location.connectionString, options);
}

/**
 * Opens the store and migrates its schema. Rejects with `StoreSchemaTooNewError` when the database is newer than
 * this code, `StoreUrlError` for a bad URL, and `StoreUnavailableError` when a SQLite file cannot be opened. A
 * PostgreSQL server that cannot be reached does not stop it: the store opens, its calls reject with
 * `StoreUnavailableError` and `ping` answers false until the server answers, and the migration runs then.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  const dialect: Dialect = location.dialect;
  const sqlite = location.dialect === 'sqlite' ? openSqlite(location.path) : undefined;
  const db = sqlite?.db ?? openDatabase(location, options);

  const groupCommit = sqlite !== undefined ? new GroupCommit(db) : undefined;
  const context: StoreContext =
    groupCommit !== undefined ? { dialect: 'sqlite', db, groupCommit } : { dialect: 'postgres', db };
  let migrated = false;
  let migrating: Promise<void> | undefined;
  const ensureMigrated = async (): Promise<void> => {
    if (migrated) return;
    migrating ??= migrate(db, dialect)
      .then((report) => {
        migrated = true;
        if (report.applied.length > 0) {
          options.logger?.info({ from: report.from, to: report.to }, 'store: schema migrated');
        }
      })
      .finally(() => {
        migrating = undefined;
      });
    await migrating;
  };

  try {
    await guarded('migration', ensureMigrated);
  } catch (error) {
    if (dialect === 'postgres' && isUnavailable(error)) {
      options.logger?.warn({ err: error }, 'store: database unreachable at start; retrying on use');
    } else {
      await db.destroy().catch(() => undefined);
      throw error;
    }
  }
  // After the migration, which commits as any connection does (synced inside its COMMIT).
  const durability =
    sqlite !== undefined && groupCommit !== undefined && location.dialect === 'sqlite'
      ? await flushOffTheEventLoop(location.path, sqlite.connection, groupCommit, options.logger)
      : undefined;

  /** Every call: migrate first if that has not happened yet, and map "not now" errors. */
  const call = <T>(what: string, run: () => Promise<T>): Promise<T> =>
    guarded(what, async () => {
      await ensureMigrated();
      return run();
    });

  let closed = false;
  const store: Store = {
    dialect,
    saveMessage: (message) => call('saveMessage', () => messages.saveMessage(context, message)),
    getMessage: (id) => call('getMessage', () => messages.getMessage(context, id)),
    listTestMessages: (localPart, limit) =>
      call('listTestMessages', () => messages.listTestMessages(context, localPart, limit)),
    listMessages: (query) => call('listMessages', () => messages.listMessages(context, query)),
    createTestAddress: (localPart, createdAt) =>
      call('createTestAddress', () => messages.createTestAddress(context, localPart, createdAt)),

    enqueueSubmission: (submission) => call('enqueueSubmission', () => outbox.enqueueSubmission(context, submission)),
    findIdempotentSubmission: (key) =>
      call('findIdempotentSubmission', () => outbox.findIdempotentSubmission(context, key)),
    claimDeliveries: (worker, now, leaseMs, limit) =>
      call('claimDeliveries', () => outbox.claimDeliveries(context, worker, now, leaseMs, limit)),
    renewLease: (id, worker, leaseUntil) =>
      call('renewLease', () => outbox.renewLease(context, id, worker, leaseUntil)),
    recordAttempt: (id, worker, attempt, outcome) =>
      call('recordAttempt', () => outbox.recordAttempt(context, id, worker, attempt, outcome)),
    releaseLeases: (worker) => call('releaseLeases', () => outbox.releaseLeases(context, worker)),
    getSubmission: (id) => call('getSubmission', () => outbox.getSubmission(context, id)),
    listOutbox: (query) => call('listOutbox', () => outbox.listOutbox(context, query)),
    outboxDepth: () => call('outboxDepth', () => outbox.outboxDepth(context)),

    hitRateLimit: (key, limit, windowMs, now) =>
      call('hitRateLimit', () => rateLimits.hitRateLimit(context, key, limit, windowMs, now)),
    useOnce: (token, expiresAt) => call('useOnce', () => oneTimeTokens.useOnce(context, token, expiresAt)),

    createSession: (id, expiresAt) => call('createSession', () => sessions.createSession(context, id, expiresAt)),
    sessionValid: (id, now) => call('sessionValid', () => sessions.sessionValid(context, id, now)),
    deleteSession: (id) => call('deleteSession', () => sessions.deleteSession(context, id)),

    deleteOlderThan: (cutoff, now) => call('deleteOlderThan', () => retention.deleteOlderThan(context, cutoff, now)),

    async ping() {
      if (closed) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      const answer = sql`select 1 as one`
        .execute(db)
        .then(() => true)
        .catch(() => false);
      try {
        return await Promise.race([answer, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await groupCommit?.idle();
      if (durability !== undefined && sqlite !== undefined) {
        groupCommit?.setAfterCommit(undefined);
        await durability.walSync.close();
        await durability.checkpointer.stop();
        // Closing checkpoints the log into the database file and deletes it: with FULL, both are synced first.
        sqlite.connection.pragma('synchronous = FULL');
      }
      await db.destroy();
    },
  };
  return store;
}
