/**
 * The schema's versions, applied in order when a store opens. Each version runs in one transaction with its
 * record in `mailtrust_migrations` (both SQLite and PostgreSQL have transactional DDL), under a lock so that any
 * number of instances starting at once apply it once: PostgreSQL `pg_advisory_xact_lock`, SQLite `BEGIN
 * IMMEDIATE`. A database at a version newer than the last one here is refused (`StoreSchemaTooNewError`).
 *
 * Versions are never edited once released; a change to the schema is a new version at the end.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { StoreSchemaTooNewError } from './errors.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  up(db: Transaction<Database>, dialect: Dialect): Promise<void>;
}

/** Raw bytes: SQLite BLOB, PostgreSQL bytea. */
function bytes(dialect: Dialect) {
  switch (dialect) {
    case 'sqlite':
      return sql`blob`;
    case 'postgres':
      return sql`bytea`;
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, test addresses, outbox, rate events, one-time tokens, sessions',
    async up(db, dialect) {
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('local_part', 'text')
        .addColumn('envelope', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('evaluation', 'text', (c) => c.notNull())
        .addColumn('raw', bytes(dialect))
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('from_display', 'text')
        .addColumn('subject', 'text')
        .execute();
      await db.schema.createIndex('messages_local_part_id').on('messages').columns(['local_part', 'id']).execute();
      await db.schema.createIndex('messages_verdict_id').on('messages').columns(['verdict', 'id']).execute();
      await db.schema.createIndex('messages_received_at').on('messages').column('received_at').execute();

      await db.schema
        .createTable('test_addresses')
        .addColumn('local_part', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('submissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('mail_from', 'text', (c) => c.notNull())
        .addColumn('raw', bytes(dialect), (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .execute();
      await db.schema.createIndex('submissions_created_at').on('submissions').column('created_at').execute();

      await db.schema
        .createTable('recipients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('submission_id', 'text', (c) => c.notNull().references('submissions.id'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .execute();
      await db.schema.createIndex('recipients_submission').on('recipients').column('submission_id').execute();
      // The claim's scan: rows still to deliver, by due time.
      await db.schema.createIndex('recipients_due').on('recipients').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('recipients_lease_owner').on('recipients').column('lease_owner').execute();

      await db.schema
        .createTable('attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('recipient_id', 'text', (c) => c.notNull().references('recipients.id'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('mx', 'text')
        .addColumn('ip', 'text')
        .addColumn('reply', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attempts_recipient').on('attempts').columns(['recipient_id', 'at']).execute();

      await db.schema
        .createTable('rate_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('rate_events_key_at').on('rate_events').columns(['key', 'at']).execute();
      await db.schema.createIndex('rate_events_expires_at').on('rate_events').column('expires_at').execute();

      await db.schema
        .createTable('one_time_tokens')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('one_time_tokens_expires_at').on('one_time_tokens').column('expires_at').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'request hash of submissions sent with an idempotency key',
    async up(db) {
      // The digest of the request that first used a submission's idempotency key: a retry with the same key and
      // the same request gets the first answer again, one with another request is refused.
      await db.schema.alterTable('submissions').addColumn('request_hash', 'text').execute();
    },
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** An arbitrary constant naming mailtrust's migration lock among PostgreSQL advisory locks. */
const ADVISORY_LOCK_KEY = 0x6d61696c74; // "mailt"

export interface MigrationReport {
  /** The version the database was at before. */
  from: number;
  /** The version it is at now. */
  to: number;
  /** Versions this call applied (empty when another instance had applied them). */
  applied: number[];
}

/**
 * Brings the database to `SCHEMA_VERSION` (or the given list's last version), all in one locked transaction.
 * Rejects with `StoreSchemaTooNewError` when the database is newer than the list.
 */
export async function migrate(
  db: Kysely<Database>,
  dialect: Dialect,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): Promise<MigrationReport> {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  return db.transaction().execute(async (trx) => {
    // SQLite: the transaction began IMMEDIATE, so it already holds the write lock.
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_KEY})`.execute(trx);
    await trx.schema
      .createTable('mailtrust_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const row = await trx
      .selectFrom('mailtrust_migrations')
      .select((eb) => eb.fn.max('version').as('version'))
      .executeTakeFirst();
    const from = Number(row?.version ?? 0);
    if (from > known) throw new StoreSchemaTooNewError(from, known);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= from) continue;
      await migration.up(trx, dialect);
      await trx
        .insertInto('mailtrust_migrations')
        .values({ version: migration.version, name: migration.name, applied_at: now() })
        .execute();
      applied.push(migration.version);
    }
    return { from, to: Math.max(from, ...applied), applied };
  });
}
