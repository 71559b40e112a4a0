/**
 * A fresh PostgreSQL database per test run, on the server at `MAILTRUST_TEST_POSTGRES` (default
 * `postgres://postgres@127.0.0.1:5432/test`, the local server with trust authentication).
 *
 * Where no server answers, `postgresForTests()` returns a skip reason so a laptop without PostgreSQL runs the rest
 * of the suite and says clearly what it skipped; under CI (`CI=true`) it throws instead, so CI never passes
 * without having run the PostgreSQL tests.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const POSTGRES_SERVER = process.env['MAILTRUST_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** The URL of the new, empty database. */
  url: string;
  /** Drops the database (closing other connections to it first). */
  drop(): Promise<void>;
}

export type PostgresForTests = { ok: true; database: TestDatabase } | { ok: false; skip: string };

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database named `mailtrust_test_<random>`; see the module comment for when it skips. */
export async function postgresForTests(): Promise<PostgresForTests> {
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    const reason = `PostgreSQL tests skipped: no server at ${POSTGRES_SERVER} (${(error as Error).message}); set MAILTRUST_TEST_POSTGRES to run them`;
    if (process.env['CI'] === 'true') throw new Error(`${reason} — under CI they must run`);
    console.log(`# ${reason}`);
    return { ok: false, skip: reason };
  }
  const name = `mailtrust_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    ok: true,
    database: {
      url: withDatabase(POSTGRES_SERVER, name),
      async drop() {
        const client = new pg.Client({ connectionString: POSTGRES_SERVER });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    },
  };
}

/**
 * Hands out empty databases for one test file: the probe's own first, then a new one per call; `dropAll()` drops
 * every one handed out (call it from `after()`).
 */
export function databasesFrom(first: TestDatabase): { freshUrl(): Promise<string>; dropAll(): Promise<void> } {
  const databases: TestDatabase[] = [first];
  let firstUsed = false;
  return {
    async freshUrl() {
      if (!firstUsed) {
        firstUsed = true;
        return first.url;
      }
      const made = await postgresForTests();
      if (!made.ok) throw new Error(made.skip);
      databases.push(made.database);
      return made.database.url;
    },
    async dropAll() {
      for (const database of databases) await database.drop();
    },
  };
}
