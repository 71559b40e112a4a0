/**
 * `createEvaluationPool()`: evaluations on worker threads equal `evaluate()` on the main thread (real DNS on
 * loopback, each worker with its own resolver), many at once, and a closed pool refuses work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createResolver } from '../../src/core/dns/index.js';
import { evaluate } from '../../src/core/evaluation/index.js';
import { createEvaluationPool, type EvaluationPool } from '../../src/core/evaluation/workers.js';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { comparable, evaluationFixtures, type Fixture } from './streaming-fixtures.js';

describe('createEvaluationPool()', () => {
  let server: TestDnsServer;
  let fixtures: Fixture[];
  let now: Date;
  let pool: EvaluationPool;
  before(async () => {
    const built = await evaluationFixtures();
    fixtures = built.fixtures;
    now = built.corpus.now;
    server = await startTestDnsServer({ records: built.corpus.zone });
    pool = createEvaluationPool({
      size: 2,
      resolver: { servers: [server.address], timeoutMs: 2000, retries: 0, cache: false },
    });
  });
  after(async () => {
    await pool.close();
    await server.close();
  });

  test('each fixture evaluates on a worker exactly as on the main thread', async () => {
    assert.equal(pool.size, 2);
    for (const fixture of fixtures) {
      const resolver = createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0, cache: false });
      const local = await evaluate(fixture.raw, fixture.envelope, { resolver, now });
      const pooled = await pool.evaluate(fixture.raw, fixture.envelope, { now });
      assert.deepEqual(comparable(pooled), comparable(local), fixture.name);
    }
  });

  test('many messages in flight at once, some handed over (transfer)', async () => {
    const jobs = Array.from({ length: 24 }, (_, i) => fixtures[i % fixtures.length]!);
    const results = await Promise.all(
      jobs.map((fixture, i) =>
        i % 2 === 0
          ? pool.evaluate(fixture.raw, fixture.envelope, { now })
          : pool.evaluate(fixture.raw.slice(), fixture.envelope, { now, transfer: true }),
      ),
    );
    const resolver = createResolver({ servers: [server.address], timeoutMs: 2000, retries: 0, cache: false });
    for (const [i, fixture] of jobs.entries()) {
      const local = await evaluate(fixture.raw, fixture.envelope, { resolver, now });
      assert.equal(results[i]!.authenticationResults, local.authenticationResults, fixture.name);
    }
    assert.ok(results.some((r) => r.dkim[0]?.result === 'pass'));
  });

  test('the default authserv-id can be set for the whole pool', async () => {
    const named = createEvaluationPool({
      size: 1,
      authservId: 'mx.pool.example',
      resolver: { servers: [server.address], timeoutMs: 2000, retries: 0 },
    });
    try {
      const fixture = fixtures[0]!;
      const evaluation = await named.evaluate(fixture.raw, fixture.envelope, { now });
      assert.match(evaluation.authenticationResults, /^Authentication-Results: mx\.pool\.example;/);
    } finally {
      await named.close();
    }
    await assert.rejects(named.evaluate(fixtures[0]!.raw, fixtures[0]!.envelope), /closed/);
  });
});
