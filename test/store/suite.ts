/**
 * The store's behaviour, as one suite run against every backend: `sqlite.test.ts` (always) and
 * `postgres.e2e.test.ts` (a real PostgreSQL server). `fresh()` opens a store on a new, empty database.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  newId,
  openStore,
  SCHEMA_VERSION,
  StoreSchemaTooNewError,
  type NewSubmission,
  type OpenStoreOptions,
  type Store,
} from '../../src/store/index.js';
import { MIGRATIONS, migrate } from '../../src/store/migrations.js';
import { openDatabase, parseStoreUrl } from '../../src/store/open.js';
import { evaluations, message, RAW } from './messages-fixture.js';

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** The URL of a new, empty database. */
  freshUrl(): Promise<string>;
  options?: OpenStoreOptions;
}

/** A submission of `count` recipients (`to` first, then copies). */
export function submission(id: string, createdAt: number, count: number, key?: string): NewSubmission {
  const recipients = Array.from({ length: count }, (_, i) => ({
    address: `rcpt${i}@example.net`,
    role: i === 0 ? ('to' as const) : ('copy' as const),
  }));
  return {
    id,
    createdAt,
    origin: 'form:contact',
    messageId: `<${id}@relay.example.org>`,
    mailFrom: 'bounces@relay.example.org',
    raw: new TextEncoder().encode(`Message-ID: <${id}@relay.example.org>\r\n\r\nhello\r\n`),
    ...(key === undefined ? {} : { idempotencyKey: key }),
    recipients,
  };
}

export function storeSuite(backend: Backend): void {
  describe(`store on ${backend.name}`, () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const store = await openStore(await backend.freshUrl(), backend.options);
      opened.push(store);
      return store;
    };
    after(async () => {
      for (const store of opened) await store.close();
    });

    test('dialect and ping', async () => {
      const store = await fresh();
      assert.equal(store.dialect, backend.name);
      assert.equal(await store.ping(), true);
    });

    test('saveMessage then getMessage gives back every field', async () => {
      const store = await fresh();
      const { pass } = await evaluations();
      const id = newId();
      await store.saveMessage(message(id, pass, { localPart: 't-abc', action: 'tag' }));
      const got = await store.getMessage(id);
      assert.ok(got);
      assert.equal(got.id, id);
      assert.equal(got.receivedAt, 1_700_000_000_000);
      assert.equal(typeof got.receivedAt, 'number');
      assert.equal(got.source, 'smtp');
      assert.equal(got.localPart, 't-abc');
      assert.equal(got.action, 'tag');
      assert.equal(got.verdict, pass.verdict);
      assert.deepEqual(
        got.reasons,
        pass.reasons.map((r) => r.id),
      );
      assert.deepEqual(got.evaluation, JSON.parse(JSON.stringify(pass)));
      assert.deepEqual(got.envelope, pass.envelope);
      assert.deepEqual(got.raw, RAW);
      assert.ok(got.raw instanceof Uint8Array);
      assert.equal(got.size, RAW.byteLength);
      assert.equal(got.from, 'Alice <alice@example.org>');
      assert.equal(got.subject, 'Hello \u00e9t\u00e9');
      assert.equal(await store.getMessage(newId()), undefined);
    });

    test('optional fields left out stay absent, not null', async () => {
      const store = await fresh();
      const { fail } = await evaluations();
      const id = newId();
      await store.saveMessage({
        id,
        receivedAt: 5,
        source: 'milter',
        envelope: fail.envelope,
        evaluation: fail,
        size: 10,
      });
      const got = await store.getMessage(id);
      assert.ok(got);
      for (const key of ['localPart', 'action', 'raw', 'from', 'subject'] as const) {
        assert.equal(key in got, false, `${key} should be absent`);
      }
      assert.equal(got.verdict, fail.verdict);
    });

    test('a duplicate message id is refused, not overwritten', async () => {
      const store = await fresh();
      const { pass, fail } = await evaluations();
      const id = newId();
      await store.saveMessage(message(id, pass));
      await assert.rejects(store.saveMessage(message(id, fail)));
      assert.equal((await store.getMessage(id))?.verdict, pass.verdict);
    });

    test('among writes made at once, a failing one fails alone and the others are stored', async () => {
      const store = await fresh();
      const { pass } = await evaluations();
      const existing = newId();
      await store.saveMessage(message(existing, pass));
      const ids = Array.from({ length: 30 }, (_, i) => (i === 15 ? existing : newId()));
      const results = await Promise.allSettled(ids.map((id) => store.saveMessage(message(id, pass))));
      assert.deepEqual(
        results.map((r) => r.status),
        ids.map((_, i) => (i === 15 ? 'rejected' : 'fulfilled')),
      );
      for (const id of ids) assert.equal((await store.getMessage(id))?.id, id);
    });

    test('listTestMessages: only that local part, newest first, limited', async () => {
      const store = await fresh();
      const { pass, fail } = await evaluations();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = newId(1_700_000_000_000 + i);
        ids.push(id);
        await store.saveMessage(message(id, i % 2 === 0 ? pass : fail, { localPart: 't-one' }));
      }
      await store.saveMessage(message(newId(1_700_000_000_100), pass, { localPart: 't-two' }));
      const list = await store.listTestMessages('t-one');
      assert.deepEqual(
        list.map((m) => m.id),
        [...ids].reverse(),
      );
      assert.ok(list.every((m) => m.localPart === 't-one' && m.raw !== undefined));
      assert.deepEqual(
        (await store.listTestMessages('t-one', 2)).map((m) => m.id),
        [ids[4], ids[3]],
      );
      assert.deepEqual(await store.listTestMessages('t-none'), []);
    });

    test('listMessages: filters, default and maximum page, pages by before', async () => {
      const store = await fresh();
      const { pass, fail } = await evaluations();
      assert.notEqual(pass.verdict, fail.verdict);
      const all = Array.from({ length: 1_050 }, (_, i) => newId(1_700_000_000_000 + i));
      // Saved 50 at a time, as concurrent sessions would; the ids, not the order of saving, give the list order.
      for (let start = 0; start < all.length; start += 50) {
        await Promise.all(
          all.slice(start, start + 50).map((id, k) => {
            const i = start + k;
            const { raw: _raw, ...withoutRaw } = message(id, i % 3 === 0 ? fail : pass, {
              source: i % 2 === 0 ? 'milter' : 'smtp',
            });
            return store.saveMessage(withoutRaw);
          }),
        );
      }
      const newestFirst = [...all].reverse();
      const firstPage = await store.listMessages({});
      assert.equal(firstPage.length, 100);
      assert.deepEqual(
        firstPage.map((m) => m.id),
        newestFirst.slice(0, 100),
      );
      assert.equal('evaluation' in (firstPage[0] as object), false, 'summaries carry no evaluation');
      assert.equal('raw' in (firstPage[0] as object), false, 'summaries carry no raw bytes');
      assert.equal((await store.listMessages({ limit: 5_000 })).length, 1_000);
      assert.equal((await store.listMessages({ limit: 0 })).length, 1);

      // Walk every page of 300: each id once, in order.
      const walked: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.listMessages(before === undefined ? { limit: 300 } : { limit: 300, before });
        if (page.length === 0) break;
        walked.push(...page.map((m) => m.id));
        before = page[page.length - 1]?.id;
      }
      assert.deepEqual(walked, newestFirst);

      const untrusted = await store.listMessages({ verdict: fail.verdict, limit: 1_000 });
      assert.equal(untrusted.length, all.filter((_, i) => i % 3 === 0).length);
      assert.ok(untrusted.every((m) => m.verdict === fail.verdict));
      const milter = await store.listMessages({ source: 'milter', verdict: fail.verdict, limit: 1_000 });
      assert.equal(milter.length, all.filter((_, i) => i % 3 === 0 && i % 2 === 0).length);
      assert.ok(milter.every((m) => m.source === 'milter'));
    });

    test('createTestAddress records once and tolerates a repeat', async () => {
      const store = await fresh();
      await store.createTestAddress('t-xyz', 1_000);
      await store.createTestAddress('t-xyz', 2_000);
      assert.deepEqual(await store.listTestMessages('t-xyz'), []);
    });

    test('close makes ping false', async () => {
      const store = await openStore(await backend.freshUrl(), backend.options);
      await store.close();
      assert.equal(await store.ping(), false);
    });

    test('enqueueSubmission stores the submission and one queued row per recipient', async () => {
      const store = await fresh();
      const id = newId(10_000);
      assert.equal(await store.enqueueSubmission(submission(id, 10_000, 2)), true);
      const view = await store.getSubmission(id);
      assert.ok(view);
      assert.equal(view.id, id);
      assert.equal(view.createdAt, 10_000);
      assert.equal(view.origin, 'form:contact');
      assert.equal(view.messageId, `<${id}@relay.example.org>`);
      assert.deepEqual(
        view.recipients.map((r) => [r.address, r.role, r.status, r.attempts.length, r.nextAttemptAt]),
        [
          ['rcpt0@example.net', 'to', 'queued', 0, 10_000],
          ['rcpt1@example.net', 'copy', 'queued', 0, 10_000],
        ],
      );
      assert.deepEqual(await store.outboxDepth(), { queued: 2, deferred: 0 });
      assert.equal(await store.getSubmission(newId()), undefined);
    });

    test('the idempotency key stores a submission once', async () => {
      const store = await fresh();
      const first = newId(1);
      const second = newId(2);
      assert.equal(await store.enqueueSubmission(submission(first, 1, 2, 'key-1')), true);
      assert.equal(await store.enqueueSubmission(submission(second, 2, 3, 'key-1')), false);
      assert.equal(await store.getSubmission(second), undefined);
      assert.deepEqual(await store.outboxDepth(), { queued: 2, deferred: 0 });
      // Without a key, or with another, each is stored.
      assert.equal(await store.enqueueSubmission(submission(newId(3), 3, 1)), true);
      assert.equal(await store.enqueueSubmission(submission(newId(4), 4, 1)), true);
      assert.equal(await store.enqueueSubmission(submission(newId(5), 5, 1, 'key-2')), true);
      assert.deepEqual(await store.outboxDepth(), { queued: 5, deferred: 0 });
    });

    test('a submission is found by its idempotency key, with the digest of its request', async () => {
      const store = await fresh();
      const first = newId(1);
      const stored = { ...submission(first, 1, 1, 'api:scope:key-1'), requestHash: 'a'.repeat(64) };
      assert.equal(await store.enqueueSubmission(stored), true);
      assert.deepEqual(await store.findIdempotentSubmission('api:scope:key-1'), {
        id: first,
        requestHash: 'a'.repeat(64),
      });
      // A second request under the key stores nothing, and the first one's id and digest stay.
      const again = { ...submission(newId(2), 2, 1, 'api:scope:key-1'), requestHash: 'b'.repeat(64) };
      assert.equal(await store.enqueueSubmission(again), false);
      assert.deepEqual(await store.findIdempotentSubmission('api:scope:key-1'), {
        id: first,
        requestHash: 'a'.repeat(64),
      });
      // Keys are exact: another scope is another key; a key stored without a digest has none.
      assert.equal(await store.findIdempotentSubmission('api:other:key-1'), undefined);
      const plain = newId(3);
      await store.enqueueSubmission(submission(plain, 3, 1, 'failure-notice:x'));
      assert.deepEqual(await store.findIdempotentSubmission('failure-notice:x'), { id: plain });
    });

    test('claim, renew, record: delivered, deferred, failed, and a lost lease', async () => {
      const store = await fresh();
      const id = newId(1_000);
      await store.enqueueSubmission(submission(id, 1_000, 3));
      assert.deepEqual(await store.claimDeliveries('w1', 999, 60_000, 10), [], 'nothing is due before createdAt');

      const claimed = await store.claimDeliveries('w1', 1_000, 60_000, 2);
      assert.equal(claimed.length, 2);
      const [a, b] = claimed;
      assert.ok(a && b);
      assert.equal(a.submissionId, id);
      assert.equal(a.messageId, `<${id}@relay.example.org>`);
      assert.equal(a.mailFrom, 'bounces@relay.example.org');
      assert.deepEqual(a.raw, submission(id, 1_000, 3).raw);
      assert.equal(a.createdAt, 1_000);
      assert.equal(a.attempts, 0);
      assert.equal(a.leaseUntil, 61_000);

      // Leased rows are not claimed again; the third row is.
      const other = await store.claimDeliveries('w2', 2_000, 60_000, 10);
      assert.equal(other.length, 1);
      assert.ok(!claimed.some((row) => row.id === other[0]?.id));
      assert.deepEqual(await store.claimDeliveries('w3', 2_000, 60_000, 10), []);

      assert.equal(await store.renewLease(a.id, 'w1', 120_000), true);
      assert.equal(await store.renewLease(a.id, 'w2', 120_000), false, 'not w2 lease');

      assert.equal(
        await store.recordAttempt(
          a.id,
          'w1',
          { at: 3_000, mx: 'mx.example.net', ip: '127.0.0.2', reply: '250 2.0.0 ok' },
          {
            status: 'delivered',
          },
        ),
        true,
      );
      assert.equal(
        await store.recordAttempt(
          b.id,
          'w1',
          { at: 3_100, reply: 'connect ECONNREFUSED' },
          {
            status: 'deferred',
            nextAttemptAt: 500_000,
          },
        ),
        true,
      );
      assert.equal(await store.renewLease(a.id, 'w1', 200_000), false, 'a delivered row has no lease to renew');
      const third = other[0];
      assert.ok(third);
      // w1 never held the third row: its attempt is recorded, the row's state is not changed.
      assert.equal(
        await store.recordAttempt(third.id, 'w1', { at: 3_200, reply: '550 5.1.1 no such user' }, { status: 'failed' }),
        false,
      );
      assert.equal(
        await store.recordAttempt(third.id, 'w2', { at: 3_300, reply: '550 5.1.1 no such user' }, { status: 'failed' }),
        true,
      );

      const view = await store.getSubmission(id);
      assert.ok(view);
      const byId = new Map(view.recipients.map((r) => [r.id, r]));
      assert.equal(byId.get(a.id)?.status, 'delivered');
      assert.deepEqual(byId.get(a.id)?.attempts, [
        { at: 3_000, mx: 'mx.example.net', ip: '127.0.0.2', reply: '250 2.0.0 ok' },
      ]);
      assert.equal(byId.get(a.id)?.nextAttemptAt, undefined);
      assert.equal(byId.get(b.id)?.status, 'deferred');
      assert.equal(byId.get(b.id)?.nextAttemptAt, 500_000);
      assert.deepEqual(byId.get(b.id)?.attempts, [{ at: 3_100, reply: 'connect ECONNREFUSED' }]);
      assert.equal(byId.get(third.id)?.status, 'failed');
      assert.equal(byId.get(third.id)?.attempts.length, 2);
      assert.deepEqual(await store.outboxDepth(), { queued: 0, deferred: 1 });

      // The deferred row is due again at its time, with its attempt counted.
      assert.deepEqual(await store.claimDeliveries('w1', 499_999, 60_000, 10), []);
      const again = await store.claimDeliveries('w1', 500_000, 60_000, 10);
      assert.deepEqual(
        again.map((row) => [row.id, row.attempts]),
        [[b.id, 1]],
      );
    });

    test('an expired lease is taken over; the old worker can no longer finish the row', async () => {
      const store = await fresh();
      await store.enqueueSubmission(submission(newId(1_000), 1_000, 1));
      const [row] = await store.claimDeliveries('dead', 1_000, 15_000, 5);
      assert.ok(row);
      assert.deepEqual(await store.claimDeliveries('alive', 15_999, 15_000, 5), [], 'still leased');
      const [taken] = await store.claimDeliveries('alive', 16_000, 15_000, 5);
      assert.equal(taken?.id, row.id);
      assert.equal(taken?.leaseUntil, 31_000);
      assert.equal(await store.renewLease(row.id, 'dead', 40_000), false);
      assert.equal(
        await store.recordAttempt(row.id, 'dead', { at: 17_000, reply: '250 ok' }, { status: 'delivered' }),
        false,
      );
      assert.equal(
        await store.recordAttempt(row.id, 'alive', { at: 17_001, reply: '250 ok' }, { status: 'delivered' }),
        true,
      );
    });

    test('a renewed lease keeps the row from other claimers past its first expiry', async () => {
      const store = await fresh();
      await store.enqueueSubmission(submission(newId(1_000), 1_000, 1));
      const [row] = await store.claimDeliveries('slow', 1_000, 15_000, 1);
      assert.ok(row);
      assert.equal(await store.renewLease(row.id, 'slow', 50_000), true);
      assert.deepEqual(await store.claimDeliveries('other', 20_000, 15_000, 1), []);
      assert.equal((await store.claimDeliveries('other', 50_000, 15_000, 1))[0]?.id, row.id);
    });

    test("releaseLeases returns a worker's rows to the queue at once", async () => {
      const store = await fresh();
      await store.enqueueSubmission(submission(newId(1_000), 1_000, 3));
      assert.equal((await store.claimDeliveries('stopping', 1_000, 900_000, 2)).length, 2);
      assert.equal(await store.releaseLeases('other'), 0);
      assert.equal(await store.releaseLeases('stopping'), 2);
      assert.equal((await store.claimDeliveries('next', 1_001, 900_000, 10)).length, 3);
    });

    test('claim limit below one claims nothing', async () => {
      const store = await fresh();
      await store.enqueueSubmission(submission(newId(1_000), 1_000, 1));
      assert.deepEqual(await store.claimDeliveries('w', 2_000, 1_000, 0), []);
    });

    test('listOutbox: newest first, by status, paged', async () => {
      const store = await fresh();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = newId(1_000 + i);
        ids.push(id);
        await store.enqueueSubmission(submission(id, 1_000 + i, 1));
      }
      // Deliver the rows of the three oldest submissions.
      const claimed = await store.claimDeliveries('w', 10_000, 60_000, 3);
      for (const row of claimed) {
        await store.recordAttempt(row.id, 'w', { at: 10_001, reply: '250 ok' }, { status: 'delivered' });
      }
      assert.deepEqual(
        claimed.map((row) => row.submissionId).sort(),
        ids.slice(0, 3),
        'the oldest rows are claimed first',
      );
      const newest = [...ids].reverse();
      assert.deepEqual(
        (await store.listOutbox({})).map((s) => s.id),
        newest,
      );
      assert.deepEqual(
        (await store.listOutbox({ status: 'delivered' })).map((s) => s.id),
        ids.slice(0, 3).reverse(),
      );
      assert.deepEqual(
        (await store.listOutbox({ status: 'queued', limit: 2 })).map((s) => s.id),
        newest.slice(0, 2),
      );
      assert.deepEqual(
        (await store.listOutbox({ status: 'queued', limit: 2, before: newest[1] as string })).map((s) => s.id),
        newest.slice(2, 4),
      );
      const [first] = await store.listOutbox({ status: 'delivered', limit: 1 });
      assert.equal(first?.recipients[0]?.attempts[0]?.reply, '250 ok');
    });

    test('4 concurrent claimers drain 5,000 rows: none claimed twice while leased, each delivered once', async () => {
      const store = await fresh();
      for (let start = 0; start < 500; start += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            store.enqueueSubmission(submission(newId(1_000 + start + k), 1_000 + start + k, 10)),
          ),
        );
      }
      const held = new Set<string>();
      const delivered = new Map<string, number>();
      const doubleClaims: string[] = [];
      const claimer = async (worker: string): Promise<void> => {
        for (;;) {
          const rows = await store.claimDeliveries(worker, Date.now(), 600_000, 25);
          if (rows.length === 0) return;
          for (const row of rows) {
            if (held.has(row.id)) doubleClaims.push(row.id);
            held.add(row.id);
          }
          for (const row of rows) {
            const own = await store.recordAttempt(
              row.id,
              worker,
              { at: Date.now(), reply: '250 ok' },
              {
                status: 'delivered',
              },
            );
            assert.equal(own, true);
            held.delete(row.id);
            delivered.set(row.id, (delivered.get(row.id) ?? 0) + 1);
          }
        }
      };
      await Promise.all(['c1', 'c2', 'c3', 'c4'].map(claimer));
      assert.deepEqual(doubleClaims, []);
      assert.equal(delivered.size, 5_000);
      assert.ok([...delivered.values()].every((n) => n === 1));
      assert.deepEqual(await store.outboxDepth(), { queued: 0, deferred: 0 });
      let attempts = 0;
      let before: string | undefined;
      for (;;) {
        const page = await store.listOutbox(before === undefined ? { limit: 1_000 } : { limit: 1_000, before });
        if (page.length === 0) break;
        for (const view of page) {
          for (const recipient of view.recipients) {
            assert.equal(recipient.status, 'delivered');
            attempts += recipient.attempts.length;
          }
        }
        before = page[page.length - 1]?.id;
      }
      assert.equal(attempts, 5_000);
    });

    test('hitRateLimit counts in a sliding window, refused calls included', async () => {
      const store = await fresh();
      const window = 60_000;
      const results = [];
      for (const at of [0, 10_000, 20_000, 30_000])
        results.push(await store.hitRateLimit('ip:192.0.2.1', 3, window, at));
      assert.deepEqual(
        results.map((r) => [r.allowed, r.count, r.resetAt]),
        [
          [true, 1, 60_000],
          [true, 2, 60_000],
          [true, 3, 60_000],
          [false, 4, 60_000],
        ],
      );
      // Another key has its own count.
      assert.deepEqual(await store.hitRateLimit('form:contact', 3, window, 30_000), {
        allowed: true,
        count: 1,
        resetAt: 90_000,
      });
      // At 60,000 the event of 0 has left the window (it covers (0, 60,000]); the refused one of 30,000 still counts.
      const later = await store.hitRateLimit('ip:192.0.2.1', 3, window, 60_000);
      assert.deepEqual([later.allowed, later.count, later.resetAt], [false, 4, 70_000]);
      const much = await store.hitRateLimit('ip:192.0.2.1', 3, window, 200_000);
      assert.deepEqual([much.allowed, much.count, much.resetAt], [true, 1, 260_000]);
    });

    test('hitRateLimit from many callers at once counts every one', async () => {
      const store = await fresh();
      const results = await Promise.all(
        Array.from({ length: 40 }, () => store.hitRateLimit('form:burst', 10, 60_000, 5_000)),
      );
      assert.deepEqual(
        results.map((r) => r.count).sort((x, y) => x - y),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.equal(results.filter((r) => r.allowed).length, 10);
    });

    test('useOnce: true the first time, false on every replay', async () => {
      const store = await fresh();
      assert.equal(await store.useOnce('challenge-a', 100_000, 1_000), true);
      assert.equal(await store.useOnce('challenge-a', 100_000, 2_000), false);
      assert.equal(await store.useOnce('challenge-a', 200_000, 3_000), false);
      assert.equal(await store.useOnce('challenge-b', 100_000, 3_000), true);
      const together = await Promise.all(
        Array.from({ length: 10 }, () => store.useOnce('challenge-c', 100_000, 4_000)),
      );
      assert.equal(together.filter(Boolean).length, 1);
    });

    test('sessions: valid until expiry or deletion', async () => {
      const store = await fresh();
      await store.createSession('s-1', 10_000);
      await store.createSession('s-2', 10_000);
      assert.equal(await store.sessionValid('s-1', 9_999), true);
      assert.equal(await store.sessionValid('s-1', 10_000), false);
      assert.equal(await store.sessionValid('nope', 1), false);
      await store.deleteSession('s-2');
      assert.equal(await store.sessionValid('s-2', 1), false);
      await store.deleteSession('never-existed');
    });

    test('deleteOlderThan: old messages and finished submissions go, the rest stays', async () => {
      const store = await fresh();
      const { pass } = await evaluations();
      const oldMessage = newId(1_000);
      const newMessage = newId(9_000);
      await store.saveMessage(message(oldMessage, pass, { receivedAt: 1_000, localPart: 't-old' }));
      await store.saveMessage(message(newMessage, pass, { receivedAt: 9_000 }));
      await store.createTestAddress('t-old', 1_000);

      const finished = newId(1_000);
      const pending = newId(1_001);
      const recent = newId(9_000);
      await store.enqueueSubmission(submission(finished, 1_000, 1, 'k-finished'));
      await store.enqueueSubmission(submission(pending, 1_001, 1));
      await store.enqueueSubmission(submission(recent, 9_000, 1));
      const [first] = await store.claimDeliveries('w', 1_000, 100, 1);
      assert.equal(first?.submissionId, finished);
      await store.recordAttempt(first.id, 'w', { at: 1_050, reply: '250 ok' }, { status: 'delivered' });

      await store.useOnce('old-token', 4_000, 1_000);
      await store.useOnce('new-token', 50_000, 1_000);
      await store.createSession('old-session', 4_000);
      await store.createSession('new-session', 50_000);
      await store.hitRateLimit('ip:old', 5, 1_000, 1_000);
      await store.hitRateLimit('ip:new', 5, 100_000, 1_000);

      assert.deepEqual(await store.deleteOlderThan(5_000, 5_000), { messages: 1, submissions: 1 });
      assert.equal(await store.getMessage(oldMessage), undefined);
      assert.ok(await store.getMessage(newMessage));
      assert.equal(await store.getSubmission(finished), undefined);
      assert.ok(await store.getSubmission(pending), 'a submission still to deliver is kept, however old');
      assert.ok(await store.getSubmission(recent));
      // The expired token's record is gone (its challenge has expired too); the live one still refuses a replay.
      assert.equal(await store.useOnce('new-token', 50_000, 5_000), false);
      assert.equal(await store.useOnce('old-token', 4_000, 5_000), true);
      assert.equal(await store.sessionValid('new-session', 5_000), true);
      // The old rate event is gone, the recent one still counts.
      assert.equal((await store.hitRateLimit('ip:new', 5, 100_000, 5_000)).count, 2);
      assert.equal((await store.hitRateLimit('ip:old', 5, 1_000, 5_000)).count, 1);
      // The idempotency key of a deleted submission is free again.
      assert.equal(await store.enqueueSubmission(submission(newId(6_000), 6_000, 1, 'k-finished')), true);
      assert.deepEqual(await store.deleteOlderThan(5_000, 5_000), { messages: 0, submissions: 0 });
    });

    test('a database migrated by a newer version is refused, naming both versions', async () => {
      const url = await backend.freshUrl();
      const store = await openStore(url, backend.options);
      await store.close();
      const db = openDatabase(parseStoreUrl(url));
      try {
        const report = await migrate(db, backend.name, [
          ...MIGRATIONS,
          {
            version: SCHEMA_VERSION + 1,
            name: 'from the future',
            async up(trx) {
              await trx.schema.createTable('future_things').addColumn('id', 'text').execute();
            },
          },
        ]);
        assert.deepEqual(report.applied, [SCHEMA_VERSION + 1]);
      } finally {
        await db.destroy();
      }
      await assert.rejects(openStore(url, backend.options), (error: unknown) => {
        assert.ok(error instanceof StoreSchemaTooNewError);
        assert.equal(error.name, 'StoreSchemaTooNewError');
        assert.equal(error.databaseVersion, SCHEMA_VERSION + 1);
        assert.equal(error.codeVersion, SCHEMA_VERSION);
        assert.match(error.message, new RegExp(`version ${SCHEMA_VERSION + 1}.*version ${SCHEMA_VERSION}`));
        return true;
      });
    });

    test('opening again migrates nothing and keeps the data', async () => {
      const url = await backend.freshUrl();
      const { pass } = await evaluations();
      const first = await openStore(url, backend.options);
      const id = newId();
      await first.saveMessage(message(id, pass));
      await first.close();
      const db = openDatabase(parseStoreUrl(url));
      try {
        assert.deepEqual((await migrate(db, backend.name)).applied, []);
      } finally {
        await db.destroy();
      }
      const second = await openStore(url, backend.options);
      opened.push(second);
      assert.equal((await second.getMessage(id))?.id, id);
    });
  });
}
