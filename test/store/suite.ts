/**
 * The store's behaviour, as one suite run against every backend: `sqlite.test.ts` (always) and
 * `postgres.e2e.test.ts` (a real PostgreSQL server). `fresh()` opens a store on a new, empty database.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { newId, type Store } from '../../src/store/index.js';
import { evaluations, message, RAW } from './messages-fixture.js';

export interface Backend {
  name: string;
  /** A store on a new, empty database; closed by the suite. */
  fresh(): Promise<Store>;
}

export function storeSuite(backend: Backend): void {
  describe(`store on ${backend.name}`, () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const store = await backend.fresh();
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
      const all: string[] = [];
      for (let i = 0; i < 1_050; i++) {
        const id = newId(1_700_000_000_000 + i);
        all.push(id);
        const { raw: _raw, ...withoutRaw } = message(id, i % 3 === 0 ? fail : pass, {
          source: i % 2 === 0 ? 'milter' : 'smtp',
        });
        await store.saveMessage(withoutRaw);
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
      const store = await backend.fresh();
      await store.close();
      assert.equal(await store.ping(), false);
    });
  });
}
