// `Idempotency-Key` on POST /api/v1/send, across two instances sharing one database: on SQLite (one file) and on
// PostgreSQL (one database on the server of test/support/postgres.ts; skipped with its reason when none answers).
// The relay's workers are off, so every stored submission stays queued and the outbox depth counts them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startService, type Service } from '../../src/server/service.js';
import { openStore, type Store } from '../../src/store/index.js';
import { postgresForTests, type TestDatabase } from '../support/postgres.js';
import { serveConfig, startRelayWorld, type RelayWorld } from './support/fixture.js';

const TOKEN_A = 'idempotency-token-a-0123456789';
const TOKEN_B = 'idempotency-token-b-0123456789';
const TO = 'support@helpdesk.example.net';

let world: RelayWorld;
before(async () => {
  world = await startRelayWorld({});
});
after(async () => {
  await world?.close();
});

const postgres = await postgresForTests();

function backends(): { name: string; url: () => string; skip?: string }[] {
  return [
    { name: 'sqlite', url: () => `sqlite:${join(world.dir, 'idempotency.db')}` },
    postgres.ok
      ? { name: 'postgres', url: () => postgres.database.url }
      : { name: 'postgres', url: () => '', skip: postgres.skip },
  ];
}

for (const backend of backends()) {
  describe(`Idempotency-Key on ${backend.name}`, { ...(backend.skip ? { skip: backend.skip } : {}) }, () => {
    const services: Service[] = [];
    const stores: Store[] = [];
    let first: string;
    let second: string;

    before(async () => {
      for (let i = 0; i < 2; i++) {
        const config = serveConfig(
          world,
          { sendTo: [TO], workers: 0 },
          { database: backend.url(), http: { listen: '127.0.0.1:0', apiTokens: [TOKEN_A, TOKEN_B] } },
        );
        const store = await openStore(config.database);
        stores.push(store);
        const service = await startService(config, { store });
        services.push(service);
      }
      first = `http://${services[0]?.face('http')?.address}/api/v1/send`;
      second = `http://${services[1]?.face('http')?.address}/api/v1/send`;
    });

    after(async () => {
      for (const service of services) await service.close(1_000);
      for (const store of stores) await store.close();
      if (backend.name === 'postgres' && postgres.ok) await (postgres.database as TestDatabase).drop();
    });

    function send(url: string, body: unknown, headers: Record<string, string> = {}, token = TOKEN_A) {
      return fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    }

    const queued = async () => (await stores[0]?.outboxDepth())?.queued;
    const report = { to: TO, subject: 'Nightly report', text: 'All good.\n' };

    test('a retry with the same key gets the first answer, on either instance, and stores nothing more', async () => {
      const key = { 'idempotency-key': '8e03978e-40d5-43e8-bc93-6894a57f9324' };
      const answer = await send(first, report, key);
      assert.equal(answer.status, 202);
      const body = (await answer.json()) as { id: string };
      assert.match(body.id, /^[0-9A-Z]{26}$/);
      assert.equal(await queued(), 1);
      for (const url of [first, second, second]) {
        const retry = await send(url, report, key);
        assert.equal(retry.status, 202);
        assert.deepEqual(await retry.json(), body);
      }
      // The structured-field form of the same key (a quoted string) is the same key.
      const quoted = await send(second, report, { 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' });
      assert.deepEqual(await quoted.json(), body);
      assert.equal(await queued(), 1, 'one message, however many retries');
      const view = await stores[1]?.getSubmission(body.id);
      assert.deepEqual(
        view?.recipients.map((r) => r.address),
        [TO],
      );
    });

    test('the same key with another body is 422 with a JSON error, and nothing is stored', async () => {
      const key = { 'idempotency-key': 'key-with-two-bodies' };
      const before = await queued();
      assert.equal((await send(first, report, key)).status, 202);
      const other = await send(second, { ...report, text: 'Something else.\n' }, key);
      assert.equal(other.status, 422);
      assert.match(other.headers.get('content-type') ?? '', /^application\/json/);
      const error = (await other.json()) as { error: { code: string; message: string } };
      assert.equal(error.error.code, 'idempotency-key-reused');
      assert.match(error.error.message, /Idempotency-Key/);
      assert.equal(await queued(), (before as number) + 1);
    });

    test('keys are per token, sends without a key are each stored, and a malformed key is refused', async () => {
      const key = { 'idempotency-key': 'shared-by-two-clients' };
      const before = (await queued()) as number;
      const byA = (await (await send(first, report, key, TOKEN_A)).json()) as { id: string };
      const byB = (await (await send(first, report, key, TOKEN_B)).json()) as { id: string };
      assert.notEqual(byA.id, byB.id, "another client's key is another key");
      const plain1 = (await (await send(second, report)).json()) as { id: string };
      const plain2 = (await (await send(second, report)).json()) as { id: string };
      assert.notEqual(plain1.id, plain2.id);
      assert.equal(await queued(), before + 4);
      for (const bad of ['x'.repeat(256), 'with space', '""']) {
        const res = await send(first, report, { 'idempotency-key': bad });
        assert.equal(res.status, 400, bad);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid-idempotency-key');
      }
      assert.equal(await queued(), before + 4);
    });
  });
}
