/**
 * SQLite commits flushed off the event loop: a group commit's writers are told "committed" only after the log
 * flush that follows their COMMIT (and not at all when it fails); flushes coalesce; the checkpoint worker keeps the
 * log bounded under steady writes; closing the store checkpoints the log into the database file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { GroupCommit } from '../../src/store/group-commit.js';
import { openStore } from '../../src/store/index.js';
import { openDatabase } from '../../src/store/open.js';
import { WalCheckpointer } from '../../src/store/wal-checkpointer.js';
import { WalSync } from '../../src/store/wal-sync.js';
import { waitFor } from '../support/wait-for.js';
import { newId } from '../../src/store/ids.js';
import { evaluations, message } from './messages-fixture.js';

const directory = mkdtempSync(join(tmpdir(), 'mailtrust-wal-'));
after(() => rmSync(directory, { recursive: true, force: true }));
let counter = 0;
const freshPath = () => join(directory, `wal-${++counter}.db`);

/** A flush the test finishes by hand. */
function manualFlush() {
  const flushes: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let commits = 0;
  return {
    flushes,
    commits: () => commits,
    afterCommit: {
      durable: () => new Promise<void>((resolve, reject) => flushes.push({ resolve, reject })),
      committed: () => void commits++,
    },
  };
}

/**
 * A fresh database with one table `t`, a group commit over it whose flushes the test finishes by hand, and
 * `insert(n)`, one write through that group commit.
 */
async function manuallyFlushedTable() {
  const db = openDatabase({ dialect: 'sqlite', path: freshPath() });
  await sql`create table t (n integer primary key)`.execute(db);
  const groupCommit = new GroupCommit(db);
  const flush = manualFlush();
  groupCommit.setAfterCommit(flush.afterCommit);
  const insert = (n: number) => groupCommit.run((trx) => sql`insert into t (n) values (${n})`.execute(trx));
  return { db, groupCommit, flush, insert };
}

test('a group commit settles its writers only after the flush that follows its COMMIT', async () => {
  const { db, flush, insert } = await manuallyFlushedTable();
  try {
    let settled = 0;
    const writes = [1, 2, 3].map((n) => insert(n).then(() => settled++));
    await waitFor('the first flush', () => (flush.flushes.length === 1 ? true : undefined));
    // Committed (visible to a reader) but not yet flushed: nobody has been told.
    const { rows } = await sql<{ count: number }>`select count(*) as count from t`.execute(db);
    assert.deepEqual(rows, [{ count: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, 0);
    assert.equal(flush.commits(), 1);
    flush.flushes[0]!.resolve();
    await Promise.all(writes);
    assert.equal(settled, 3);
  } finally {
    await db.destroy();
  }
});

test('a failed flush rejects every write of its batch, and the next batch still commits', async () => {
  const { db, groupCommit, flush, insert } = await manuallyFlushedTable();
  try {
    const first = [1, 2].map(insert);
    await waitFor('the first flush', () => (flush.flushes.length === 1 ? true : undefined));
    // The next batch commits while the first one's flush is still running.
    const second = insert(3);
    await waitFor('the second flush', () => (flush.flushes.length === 2 ? true : undefined));
    flush.flushes[0]!.reject(new Error('EIO'));
    flush.flushes[1]!.resolve();
    for (const write of await Promise.allSettled(first)) {
      assert.equal(write.status, 'rejected');
      assert.match(String((write as PromiseRejectedResult).reason), /EIO/);
    }
    await second;
    await groupCommit.idle();
  } finally {
    await db.destroy();
  }
});

test('flushes coalesce: a call during a running flush waits for the next one, shared by all such calls', async () => {
  const path = freshPath();
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.exec('create table t (n integer)');
  const walSync = await WalSync.open(path);
  try {
    const first = walSync.sync();
    const second = walSync.sync();
    const third = walSync.sync();
    assert.notEqual(first, second);
    assert.equal(second, third);
    const order: string[] = [];
    await Promise.all([first.then(() => order.push('first')), second.then(() => order.push('second'))]);
    assert.deepEqual(order, ['first', 'second']);
    // Idle again: a new call starts a flush of its own.
    const fourth = walSync.sync();
    assert.notEqual(fourth, second);
    await fourth;
  } finally {
    await walSync.close();
    database.close();
  }
  await assert.rejects(walSync.sync(), /closed/);
});

test('the checkpoint worker keeps the log near its restart size under steady writes', async () => {
  const path = freshPath();
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('wal_autocheckpoint = 0');
  database.pragma('synchronous = OFF');
  database.exec('create table t (n integer primary key, body blob)');
  const restartBytes = 1024 * 1024;
  const errors: string[] = [];
  const checkpointer = WalCheckpointer.start(path, { restartBytes, onError: (message) => errors.push(message) });
  const insert = database.prepare('insert into t (n, body) values (?, ?)');
  const body = Buffer.alloc(32 * 1024, 0x61);
  let largest = 0;
  try {
    // 24 MB in commits of 256 KB, with the event loop turning between them as in the store.
    for (let n = 0; n < 768; n++) {
      insert.run(n, body);
      if (n % 8 === 7) {
        checkpointer.committed();
        await new Promise((resolve) => setTimeout(resolve, 2));
        largest = Math.max(largest, statSync(`${path}-wal`).size);
      }
    }
  } finally {
    await checkpointer.stop();
  }
  assert.deepEqual(errors, []);
  // Without checkpoints and restarts the log would hold all 24 MB. It grows until the worker has started and
  // checkpointed once (here about 9 MB, written within tens of milliseconds), then starts over in the same file.
  assert.ok(largest < 12 * 1024 * 1024, `the log grew to ${largest} bytes`);
  assert.equal((database.prepare('select count(*) as c from t').get() as { c: number }).c, 768);
  assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
  database.close();
});

test('the store flushes off the event loop and closes with its log checkpointed into the database file', async () => {
  const path = freshPath();
  const store = await openStore(`sqlite:${path}`);
  const { pass } = await evaluations();
  const saved = await Promise.all(
    Array.from({ length: 20 }, async () => {
      const id = newId(1_700_000_000_000);
      await store.saveMessage(message(id, pass, { localPart: 'wal' }));
      return id;
    }),
  );
  await store.close();
  // Closing the last connection checkpoints the log and deletes it (synced, with synchronous = FULL at close).
  assert.equal(existsSync(`${path}-wal`), false);
  const reopened = await openStore(`sqlite:${path}`);
  try {
    for (const id of saved) assert.ok(await reopened.getMessage(id), `message ${id} is missing`);
  } finally {
    await reopened.close();
  }
});
