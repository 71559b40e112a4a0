/**
 * The store on PostgreSQL with several processes and with the database going away: two instances migrating an
 * empty database at once, two processes draining one outbox, SIGKILL while writing, an unreachable server (a
 * closed port, and a proxy the test stops and starts again). Skips with the printed reason without a server.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { newId, openStore, SCHEMA_VERSION, StoreUnavailableError, type Store } from '../../src/store/index.js';
import { openDatabase, parseStoreUrl } from '../../src/store/open.js';
import { databasesFrom, postgresForTests } from '../support/postgres.js';
import { killWriterMidRun, startChild, type StoreChild } from './child-process.js';
import { evaluations, message } from './messages-fixture.js';
import { submission } from './suite.js';
import { TcpProxy } from './tcp-proxy.js';

const probe = await postgresForTests();
if (!probe.ok) {
  test('store on postgres: processes and outages', { skip: probe.skip }, () => {});
} else {
  const databases = databasesFrom(probe.database);
  const freshUrl = databases.freshUrl;
  const children: StoreChild[] = [];
  const proxies: TcpProxy[] = [];
  const stores: Store[] = [];
  after(async () => {
    for (const child of children) child.stop();
    for (const proxy of proxies) await proxy.stop();
    for (const store of stores) await store.close();
    await databases.dropAll();
  });
  const isUnavailable = (error: unknown): boolean => {
    assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`);
    assert.equal(error.name, 'StoreUnavailableError');
    return true;
  };

  describe('store on postgres: processes and outages', () => {
    test('two processes opening an empty database at once run the migrations once', async () => {
      const url = await freshUrl();
      const pair = [startChild(['open', url, 'first']), startChild(['open', url, 'second'])];
      children.push(...pair);
      assert.deepEqual(await Promise.all(pair.map((child) => child.exited)), [0, 0]);
      for (const child of pair) assert.ok(child.lines.includes('opened true'), child.stderr.join(''));
      const migrated = pair.flatMap((child) => child.lines).filter((line) => line.includes('store: schema migrated'));
      assert.equal(migrated.length, 1, 'exactly one process applied the migrations');
      const db = openDatabase(parseStoreUrl(url));
      try {
        const rows = await db.selectFrom('mailtrust_migrations').select('version').execute();
        assert.deepEqual(
          rows.map((row) => row.version),
          Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
        );
      } finally {
        await db.destroy();
      }
    });

    test('two processes (two claimers each) drain 5,000 rows: each claimed and delivered exactly once', async () => {
      const url = await freshUrl();
      const store = await openStore(url, { pool: 4 });
      stores.push(store);
      for (let i = 0; i < 500; i++) await store.enqueueSubmission(submission(newId(1_000 + i), 1_000 + i, 10));
      const pair = [startChild(['claim', url, 'p1'], 300_000), startChild(['claim', url, 'p2'], 300_000)];
      children.push(...pair);
      assert.deepEqual(await Promise.all(pair.map((child) => child.exited)), [0, 0]);
      const claimed = pair.flatMap((child) => child.lines.filter((line) => line.startsWith('claimed ')));
      const lost = pair.flatMap((child) => child.lines.filter((line) => line.startsWith('lost ')));
      assert.deepEqual(lost, []);
      assert.equal(claimed.length, 5_000, 'no row claimed twice');
      assert.equal(new Set(claimed).size, 5_000);
      assert.ok(
        pair.every((child) => child.lines.some((line) => line.startsWith('claimed '))),
        'both processes took part',
      );
      assert.deepEqual(await store.outboxDepth(), { queued: 0, deferred: 0 });
      const db = openDatabase(parseStoreUrl(url));
      try {
        const rows = await db
          .selectFrom('recipients')
          .select((eb) => ['status', eb.fn.countAll().as('count'), eb.fn.sum('attempts').as('attempts')])
          .groupBy('status')
          .execute();
        assert.deepEqual(
          rows.map((row) => [row.status, Number(row.count), Number(row.attempts)]),
          [['delivered', 5_000, 5_000]],
        );
        const attempts = await db
          .selectFrom('attempts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst();
        assert.equal(Number(attempts?.n), 5_000);
      } finally {
        await db.destroy();
      }
    });

    test('every message acknowledged before SIGKILL is there after reopening', async () => {
      const url = await freshUrl();
      const acknowledged = await killWriterMidRun(url, (child) => children.push(child));
      assert.ok(acknowledged.length >= 150);
      const store = await openStore(url, { pool: 2 });
      stores.push(store);
      const missing: string[] = [];
      for (const id of acknowledged) if ((await store.getMessage(id)) === undefined) missing.push(id);
      assert.deepEqual(missing, []);
    });

    test('a server that does not answer: the store opens, calls reject as unavailable, ping is false', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const address = closed.address();
      assert.ok(address !== null && typeof address === 'object');
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const url = new URL(probe.database.url);
      url.host = `127.0.0.1:${address.port}`;
      const store = await openStore(url.toString(), { pool: 2 });
      stores.push(store);
      const { pass } = await evaluations();
      await assert.rejects(store.saveMessage(message(newId(), pass)), isUnavailable);
      await assert.rejects(store.claimDeliveries('w', Date.now(), 1_000, 1), isUnavailable);
      const started = Date.now();
      assert.equal(await store.ping(), false);
      assert.ok(Date.now() - started < 2_000);
    });

    test('through a proxy that stops and starts: unavailable while down, recovers without reopening', async () => {
      const target = new URL(await freshUrl());
      const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      proxies.push(proxy);
      await proxy.start(0);
      const url = new URL(target);
      url.host = `127.0.0.1:${proxy.port}`;
      const store = await openStore(url.toString(), { pool: 3 });
      stores.push(store);
      const { pass } = await evaluations();
      const before = newId();
      await store.saveMessage(message(before, pass));
      assert.equal(await store.ping(), true);

      await proxy.stop();
      await assert.rejects(store.saveMessage(message(newId(), pass)), isUnavailable);
      await assert.rejects(store.getMessage(before), isUnavailable);
      const started = Date.now();
      assert.equal(await store.ping(), false);
      assert.ok(Date.now() - started < 2_000, 'ping answers within 2 s');

      await proxy.start();
      const after = newId();
      await store.saveMessage(message(after, pass));
      assert.equal(await store.ping(), true);
      assert.equal((await store.getMessage(before))?.id, before);
      assert.equal((await store.getMessage(after))?.id, after);
    });

    test('unreachable at start: the store opens anyway and migrates once the server answers', async () => {
      const target = new URL(await freshUrl());
      const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
      proxies.push(proxy);
      await proxy.start(0);
      await proxy.stop();
      const url = new URL(target);
      url.host = `127.0.0.1:${proxy.port}`;
      const store = await openStore(url.toString(), { pool: 2 });
      stores.push(store);
      assert.equal(await store.ping(), false);
      await assert.rejects(store.listMessages({}), isUnavailable);
      await proxy.start();
      assert.deepEqual(await store.listMessages({}), []);
      const db = openDatabase(parseStoreUrl(target.toString()));
      try {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from mailtrust_migrations`.execute(db);
        assert.deepEqual(rows, [{ n: SCHEMA_VERSION }]);
      } finally {
        await db.destroy();
      }
    });
  });
}
