/**
 * The outbox drained by several workers on one PostgreSQL database: 5,000 queued relay messages (5,500 recipient
 * rows) go to loopback sinks (127.0.3.x, port 25, found by MX records from the test DNS server), first by two
 * `mailtrust serve` instances, then by four worker loops. Every recipient arrives exactly once (counted at the
 * sink by Message-ID and recipient), no row is in flight at two workers at once (a delivery held longer than the
 * lease is not taken over, because the lease is renewed), and a deferred recipient is retried on its own schedule
 * without holding up the others. Needs PostgreSQL; without it, skipped with the reason.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { createResolver } from '../../src/core/index.js';
import { OutboxWorker } from '../../src/relay/worker.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startTestDnsServer, zoneRecords, type TestDnsServer } from '../support/dns-server.js';
import { postgresForTests, type TestDatabase } from '../support/postgres.js';
import { killAllInstances, startServeInstance, type ServeInstance } from '../support/serve-instance.js';
import { instanceConfig, RELAY_HOST, writeDkimKey } from './instance-config.js';
import { startMailSink, type MailSink } from './mail-sink.js';
import { outboxZone, queueLoad, sinkHosts, waitDrained, type LoadShape, type QueuedMessage } from './outbox-load.js';

/** This file's sink addresses (block 0 of 127.0.3.0/24). */
const SINKS = sinkHosts(0);

const MESSAGES = 5_000;
const SHAPE: LoadShape = { messages: MESSAGES, deferred: 20, slow: 5 };
const LEASE_MS = 3_000;
const HOLD_MS = 7_000;
const MINIMAL_BACKOFF_MS = 2_000;

const probe = await postgresForTests();

/** Every queued recipient arrived exactly once, nothing else arrived, nothing was in flight twice. */
function assertDeliveredOnce(sink: MailSink, queued: QueuedMessage[]): void {
  assert.deepEqual(sink.overlaps, [], 'no (Message-ID, recipient) pair in flight at two workers at once');
  const counts = sink.counts();
  let expected = 0;
  const wrong: string[] = [];
  for (const message of queued) {
    for (const recipient of message.recipients) {
      expected++;
      const n = counts.get(`${message.messageId} ${recipient}`) ?? 0;
      if (n !== 1) wrong.push(`${message.messageId} ${recipient}: ${n}`);
    }
  }
  assert.deepEqual(wrong.slice(0, 20), [], `every recipient delivered exactly once (${wrong.length} wrong)`);
  assert.equal(sink.deliveries.length, expected, 'no delivery the queue did not hold');
}

/** Deferred rows were retried on their own (two attempts, the first a 451, the second after the backoff); every
 * other row took one attempt. */
async function assertRetriesPerRow(url: string, shape: LoadShape): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deferred = await client.query<{ address: string; at: number; reply: string; attempts: number }>(
      `select r.address, r.attempts, a.at::float8 as at, a.reply from recipients r join attempts a on a.recipient_id = r.id
       where r.address like 'defer-%' order by r.address, a.at`,
    );
    const byAddress = new Map<string, { at: number; reply: string; attempts: number }[]>();
    for (const row of deferred.rows) byAddress.set(row.address, [...(byAddress.get(row.address) ?? []), row]);
    assert.equal(byAddress.size, shape.deferred, 'every deferred recipient has attempts');
    for (const [address, attempts] of byAddress) {
      assert.equal(attempts.length, 2, `${address}: one deferral, one delivery`);
      const [first, second] = attempts as [(typeof attempts)[0], (typeof attempts)[0]];
      assert.match(first.reply, /451/, `${address}: the first attempt was the sink's 451`);
      assert.ok(
        second.at - first.at >= MINIMAL_BACKOFF_MS * 0.9,
        `${address}: retried after the minimal backoff (${second.at - first.at} ms)`,
      );
    }
    const others = await client.query<{ n: string }>(
      `select count(*) as n from recipients where address not like 'defer-%' and attempts <> 1`,
    );
    assert.equal(Number(others.rows[0]?.n), 0, 'every other row delivered at its first attempt');
  } finally {
    await client.end();
  }
}

function sinkBehaviour() {
  return {
    tempFailures: (recipient: string) => (recipient.startsWith('defer-') ? 1 : 0),
    holdMs: (recipient: string) => (recipient.startsWith('slow-') ? HOLD_MS : 0),
  };
}

if (!probe.ok) {
  test('outbox across workers', { skip: probe.skip }, () => {});
} else {
  const databases: TestDatabase[] = [probe.database];
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-scale-outbox-'));
  let dns: TestDnsServer;
  const stores: Store[] = [];
  after(async () => {
    await killAllInstances();
    for (const store of stores) await store.close().catch(() => undefined);
    await dns?.close();
    for (const database of databases) await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  before(async () => {
    dns = await startTestDnsServer({ records: zoneRecords(outboxZone(SINKS)) });
  });

  describe('outbox across workers', { timeout: 600_000 }, () => {
    test('two instances drain 5,000 messages: each recipient once, retries per row', async () => {
      const url = probe.database.url;
      const store = await openStore(url, { pool: 4 });
      stores.push(store);
      const queued = await queueLoad(store, SHAPE);
      const sink = await startMailSink(SINKS, sinkBehaviour());
      const instances: ServeInstance[] = [];
      try {
        const keyFile = writeDkimKey(dir);
        const config = instanceConfig({
          database: url,
          dns: dns.address,
          smtp: false,
          relay: {
            keyFile,
            workers: 2,
            lease: `${LEASE_MS / 1000}s`,
            minimalBackoff: `${MINIMAL_BACKOFF_MS / 1000}s`,
            maximalBackoff: '4s',
          },
        });
        instances.push(
          ...(await Promise.all([
            startServeInstance({ config, dir, name: 'outbox-a' }),
            startServeInstance({ config, dir, name: 'outbox-b' }),
          ])),
        );
        const counts = await waitDrained(url, 400_000);
        assert.deepEqual(counts, { delivered: sink.deliveries.length }, 'every row delivered, none failed');
        assertDeliveredOnce(sink, queued);
        await assertRetriesPerRow(url, SHAPE);
        const lost = instances
          .flatMap((i) => i.logs)
          .filter((line) => line['leaseLost'] === true || line.msg === 'relay: lease lost while delivering');
        assert.deepEqual(lost, [], 'no worker lost a lease while delivering');
      } finally {
        await Promise.all(instances.map((instance) => instance.stop()));
        await sink.close();
      }
    });

    test('four worker loops drain 5,000 messages: each recipient once, retries per row', async () => {
      const made = await postgresForTests();
      if (!made.ok) throw new Error(made.skip);
      databases.push(made.database);
      const url = made.database.url;
      const queueStore = await openStore(url, { pool: 4 });
      stores.push(queueStore);
      const queued = await queueLoad(queueStore, SHAPE);
      const sink = await startMailSink(SINKS, sinkBehaviour());
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const resolver = createResolver({ servers: [dns.address] });
      const workers: OutboxWorker[] = [];
      const leaseLost: string[] = [];
      try {
        for (let index = 0; index < 4; index++) {
          // Each loop has its own connection pool, as a separate instance would.
          const store = await openStore(url, { pool: 3 });
          stores.push(store);
          // The worker's own log: an attempt recorded after its lease had passed to another worker says so.
          const logger = pino(
            { level: 'info' },
            {
              write(line: string) {
                const entry = JSON.parse(line) as { msg?: string; leaseLost?: boolean };
                if (entry.leaseLost === true || entry.msg === 'relay: lease lost while delivering')
                  leaseLost.push(line);
              },
            },
          );
          const worker = new OutboxWorker({
            store,
            delivery: {
              resolver,
              ehloName: RELAY_HOST,
              port: 25,
              allowLocalMx: true,
              timeouts: { connect: 10_000, greeting: 30_000, socket: 30_000 },
            },
            schedule: { minimalBackoffMs: MINIMAL_BACKOFF_MS, maximalBackoffMs: 4_000, lifetimeMs: 86_400_000 },
            identity: {
              from: `forms@${RELAY_HOST}`,
              hostname: RELAY_HOST,
              dkim: { domain: RELAY_HOST, selector: 's1', privateKey },
            },
            leaseMs: LEASE_MS,
            concurrency: 8,
            logger: logger.child({ loop: index }),
            now: Date.now,
            pollMs: 200,
          });
          workers.push(worker);
        }
        for (const worker of workers) worker.start();
        const counts = await waitDrained(url, 400_000);
        assert.deepEqual(counts, { delivered: sink.deliveries.length }, 'every row delivered, none failed');
        assertDeliveredOnce(sink, queued);
        await assertRetriesPerRow(url, SHAPE);
        assert.deepEqual(leaseLost, [], 'no worker lost a lease while delivering');
      } finally {
        await Promise.all(workers.map((worker) => worker.stop(2_000)));
        await sink.close();
      }
    });
  });
}
