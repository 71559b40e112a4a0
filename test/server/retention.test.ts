// The retention job deletes what is older than retentionDays, once at start and then on its interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { startRetentionJob } from '../../src/server/retention.js';
import { newId } from '../../src/store/ids.js';
import type { Evaluation } from '../../src/core/index.js';
import type { Store } from '../../src/store/types.js';
import { openFaultyStore } from '../support/faulty-store.js';

const DAY = 86_400_000;
const evaluation = { verdict: 'trusted', reasons: [] } as unknown as Evaluation;

function save(store: Store, receivedAt: number): Promise<void> {
  return store.saveMessage({
    id: newId(receivedAt),
    receivedAt,
    source: 'smtp',
    envelope: { ip: '192.0.2.1' },
    evaluation,
    size: 0,
  });
}

test('messages older than retentionDays go; newer ones stay; a failing store does not stop the job', async () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  const store = await openFaultyStore();
  await save(store, now - 31 * DAY);
  await save(store, now - 29 * DAY);
  await save(store, now - 1000);
  const job = startRetentionJob(store, 30, pino({ level: 'silent' }), () => now, 60_000);
  try {
    await job.runOnce();
    assert.deepEqual(
      (await store.messages()).map((m) => m.receivedAt),
      [now - 29 * DAY, now - 1000],
    );
    const heal = store.inject({ method: 'deleteOlderThan', effect: 'unavailable' });
    await job.runOnce(); // logged, not thrown
    assert.equal(store.calls('deleteOlderThan'), 2, 'the pass reached the failing store');
    heal();
    await save(store, now - 40 * DAY);
    await job.runOnce();
    assert.equal((await store.messages()).length, 2);
  } finally {
    job.stop();
    await store.close();
  }
});
