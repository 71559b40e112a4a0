/**
 * Migrations with several instances on one PostgreSQL database: however many start at once against an empty
 * database, each schema version is applied once; an instance refuses a schema newer than it knows (exit 69,
 * naming both versions). Needs PostgreSQL (`test/support/postgres.ts`): without it, skipped with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { postgresForTests, type TestDatabase } from '../support/postgres.js';
import { killAllInstances, runServeUntilExit, startServeInstance } from '../support/serve-instance.js';
import { instanceConfig } from './instance-config.js';

const probe = await postgresForTests();

async function freshDatabase(databases: TestDatabase[]): Promise<string> {
  const made = await postgresForTests();
  if (!made.ok) throw new Error(made.skip);
  databases.push(made.database);
  return made.database.url;
}

async function migrationRows(url: string): Promise<{ version: number }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ version: number }>('select version from mailtrust_migrations order by 1');
    return result.rows;
  } finally {
    await client.end();
  }
}

if (!probe.ok) {
  test('migrations with several instances', { skip: probe.skip }, () => {});
} else {
  const databases: TestDatabase[] = [probe.database];
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-scale-migrations-'));
  after(async () => {
    await killAllInstances();
    for (const database of databases) await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('migrations with several instances', { timeout: 120_000 }, () => {
    test('eight concurrent migrations of an empty database apply each version once', async () => {
      const url = await freshDatabase(databases);
      const handles = Array.from(
        { length: 8 },
        () =>
          new Kysely<Database>({
            dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
          }),
      );
      try {
        const reports = await Promise.all(handles.map((db) => migrate(db, 'postgres')));
        const applied = reports.flatMap((report) => report.applied).sort((a, b) => a - b);
        assert.deepEqual(
          applied,
          MIGRATIONS.map((m) => m.version).sort((a, b) => a - b),
          'every version applied by exactly one of the eight',
        );
        for (const report of reports) assert.equal(report.to, SCHEMA_VERSION);
        assert.deepEqual(
          (await migrationRows(url)).map((row) => row.version),
          MIGRATIONS.map((m) => m.version).sort((a, b) => a - b),
        );
      } finally {
        await Promise.all(handles.map((db) => db.destroy()));
      }
    });

    test('two instances started at once against an empty database both serve, schema migrated once', async () => {
      const url = await freshDatabase(databases);
      const config = instanceConfig({ database: url, smtp: false });
      const [a, b] = await Promise.all([
        startServeInstance({ config, dir, name: 'migrate-a' }),
        startServeInstance({ config, dir, name: 'migrate-b' }),
      ]);
      try {
        for (const instance of [a, b]) {
          const health = await fetch(`${instance.httpUrl}/healthz`);
          assert.equal(health.status, 200, `${instance.name} healthy`);
        }
        assert.deepEqual(
          (await migrationRows(url)).map((row) => row.version),
          MIGRATIONS.map((m) => m.version).sort((x, y) => x - y),
        );
        const migratedLines = [...a.logs, ...b.logs].filter((line) => line.msg === 'store: schema migrated');
        assert.equal(migratedLines.length, 1, 'exactly one of the two instances applied the migrations');
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });

    test('an instance refuses a schema newer than it knows: exit 69 naming both versions', async () => {
      const url = await freshDatabase(databases);
      const db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
      });
      const newer = SCHEMA_VERSION + 1;
      try {
        await migrate(db, 'postgres');
        await db
          .insertInto('mailtrust_migrations')
          .values({ version: newer, name: 'from a newer mailtrust', applied_at: Date.now() })
          .execute();
      } finally {
        await db.destroy();
      }
      const run = await runServeUntilExit(dir, instanceConfig({ database: url, smtp: false }), 'too-old');
      assert.equal(run.code, 69, `exit 69, got ${run.code} ${run.signal}; stderr: ${run.stderr}`);
      const said = run.stderr + run.stdout;
      assert.match(said, new RegExp(`\\b${newer}\\b`), 'names the database version');
      assert.match(said, new RegExp(`\\b${SCHEMA_VERSION}\\b`), 'names the version it knows');
    });
  });
}
