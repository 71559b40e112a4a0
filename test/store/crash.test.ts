/**
 * Nothing acknowledged is lost (SQLite): a process saving messages is killed with SIGKILL mid-run; every id it
 * printed after `saveMessage` resolved is in the database, which opens cleanly and passes SQLite's integrity check.
 * The PostgreSQL run of the same test is in `postgres-processes.e2e.test.ts`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.js';
import { openDatabase, parseStoreUrl } from '../../src/store/open.js';
import { killWriterMidRun, type StoreChild } from './child-process.js';

const directory = mkdtempSync(join(tmpdir(), 'mailtrust-crash-'));
const children: StoreChild[] = [];
after(() => {
  for (const child of children) child.stop();
  rmSync(directory, { recursive: true, force: true });
});

test('SQLite: every message acknowledged before SIGKILL is there after reopening', async () => {
  const url = `sqlite:${join(directory, 'crash.db')}`;
  const acknowledged = await killWriterMidRun(url, (child) => children.push(child));
  assert.ok(acknowledged.length >= 150);

  const db = openDatabase(parseStoreUrl(url));
  try {
    const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
    assert.deepEqual(rows, [{ integrity_check: 'ok' }]);
  } finally {
    await db.destroy();
  }
  const store = await openStore(url);
  try {
    const missing: string[] = [];
    for (const id of acknowledged) if ((await store.getMessage(id)) === undefined) missing.push(id);
    assert.deepEqual(missing, []);
    const stored = await store.listTestMessages('t-crash', 1_000);
    assert.ok(stored.length >= acknowledged.length);
  } finally {
    await store.close();
  }
});
