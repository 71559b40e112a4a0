/**
 * `openStore` with bad or unusable URLs, and SQLite's write lock held by another connection: waited for off the
 * event loop, up to the busy timeout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { newId, openStore, StoreUnavailableError, StoreUrlError, type Store } from '../../src/store/index.js';
import { parseStoreUrl } from '../../src/store/open.js';
import { evaluations, message } from './messages-fixture.js';

const directory = mkdtempSync(join(tmpdir(), 'mailtrust-open-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** Takes SQLite's write lock on the database at `path` from a connection of its own, until `release`. */
function holdWriteLock(path: string): { release(how: 'commit' | 'rollback'): void } {
  const other = new Database(path);
  other.exec('begin immediate');
  return {
    release(how) {
      other.exec(how);
      other.close();
    },
  };
}

/** Opens a SQLite store named `name` in the test directory, runs `use` on it, and closes it. */
async function withSqliteStore(name: string, use: (store: Store, path: string) => Promise<void>): Promise<void> {
  const path = join(directory, name);
  const store = await openStore(`sqlite:${path}`);
  try {
    await use(store, path);
  } finally {
    await store.close();
  }
}

test('URL forms', () => {
  assert.deepEqual(parseStoreUrl('sqlite:./mailtrust.db'), { dialect: 'sqlite', path: './mailtrust.db' });
  assert.deepEqual(parseStoreUrl('sqlite:/var/lib/m.db'), { dialect: 'sqlite', path: '/var/lib/m.db' });
  assert.deepEqual(parseStoreUrl('postgres://u@h:5432/db'), {
    dialect: 'postgres',
    connectionString: 'postgres://u@h:5432/db',
  });
  assert.equal(parseStoreUrl('postgresql://u@h/db').dialect, 'postgres');
  for (const bad of ['', 'sqlite:', 'mysql://u@h/db', 'postgres://', '/tmp/file.db', 'SQLITE:x.db']) {
    assert.throws(() => parseStoreUrl(bad), StoreUrlError, bad);
  }
});

test('a bad URL rejects with StoreUrlError', async () => {
  await assert.rejects(openStore('mysql://u@h/db'), (error: unknown) => {
    assert.ok(error instanceof StoreUrlError);
    assert.equal(error.name, 'StoreUrlError');
    return true;
  });
});

test('a SQLite file that cannot be created rejects with StoreUnavailableError naming it', async () => {
  const path = join(directory, 'no-such-directory', 'store.db');
  await assert.rejects(openStore(`sqlite:${path}`), (error: unknown) => {
    assert.ok(error instanceof StoreUnavailableError);
    assert.match(error.message, /no-such-directory/);
    return true;
  });
});

test('SQLite locked by another writer beyond the busy timeout: unavailable, then fine once released', async () => {
  await withSqliteStore('locked.db', async (store, path) => {
    const { pass } = await evaluations();
    const lock = holdWriteLock(path);
    const started = Date.now();
    try {
      await assert.rejects(store.saveMessage(message(newId(), pass)), (error: unknown) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.equal(error.name, 'StoreUnavailableError');
        return true;
      });
      assert.ok(Date.now() - started >= 4_500, 'it waited for the busy timeout first');
    } finally {
      lock.release('rollback');
    }
    const id = newId();
    await store.saveMessage(message(id, pass));
    assert.equal((await store.getMessage(id))?.id, id);
  });
});

test("SQLite: a write waiting for another writer's lock leaves the event loop free, and lands once it is released", async () => {
  await withSqliteStore('waiting.db', async (store, path) => {
    const { pass } = await evaluations();
    const lock = holdWriteLock(path);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const id = newId();
    const saved = store.saveMessage(message(id, pass));
    // Held for 400 ms: with the wait inside SQLite's busy handler, the timer could not fire meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const ticksWhileLocked = ticks;
    lock.release('commit');
    await saved;
    clearInterval(ticker);
    assert.ok(ticksWhileLocked >= 20, `the event loop turned only ${ticksWhileLocked} times in 400 ms`);
    assert.equal((await store.getMessage(id))?.id, id);
  });
});
