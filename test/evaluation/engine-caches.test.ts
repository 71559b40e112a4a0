/**
 * The caches an evaluation fills (DKIM keys, parsed SPF and DMARC records) belong to the `EngineCaches` object the
 * caller passes: a fresh one is filled, another one and the process default are not touched, results do not depend
 * on which object is used, and `reset()` empties it. `BoundedMemo` keeps its one eviction rule.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  BoundedMemo,
  createEngineCaches,
  createResolver,
  defaultEngineCaches,
  evaluate,
  type EngineCaches,
} from '../../src/core/index.js';
import type { Corpus } from '../../bench/corpus.js';
import { comparable, evaluationFixtures, type Fixture } from './streaming-fixtures.js';

let fixtures: Fixture[];
let corpus: Corpus;
before(async () => {
  const built = await evaluationFixtures();
  fixtures = built.fixtures.filter((f) => f.name.startsWith('corpus '));
  corpus = built.corpus;
});

const sizes = (caches: EngineCaches) => [caches.dkimKeys.size, caches.spfRecords.size, caches.dmarcRecords.size];

test('an evaluation fills the caches it is given, and only those', async () => {
  const mine = createEngineCaches();
  const other = createEngineCaches();
  const processBefore = sizes(defaultEngineCaches());
  const withMine = [];
  for (const fixture of fixtures) {
    withMine.push(
      await evaluate(fixture.raw, fixture.envelope, {
        resolver: createResolver({ zone: corpus.zone }),
        now: corpus.now,
        caches: mine,
      }),
    );
  }
  assert.ok(
    sizes(mine).every((n) => n > 0),
    `filled: ${sizes(mine).join(', ')}`,
  );
  assert.deepEqual(sizes(other), [0, 0, 0]);
  assert.deepEqual(sizes(defaultEngineCaches()), processBefore);
  // A second pass meets the filled caches and gives the same results as the first.
  for (const [i, fixture] of fixtures.entries()) {
    const again = await evaluate(fixture.raw, fixture.envelope, {
      resolver: createResolver({ zone: corpus.zone }),
      now: corpus.now,
      caches: mine,
    });
    assert.deepEqual(comparable(again), comparable(withMine[i]!), fixture.name);
  }
  mine.reset();
  assert.deepEqual(sizes(mine), [0, 0, 0]);
});

test('BoundedMemo: the oldest entry goes first, long texts are not kept, undefined answers are kept', () => {
  let computed = 0;
  const memo = new BoundedMemo(
    (text: string) => {
      computed++;
      return text === 'none' ? undefined : text.length;
    },
    { maxEntries: 3, maxKeyLength: 8 },
  );
  for (const text of ['a', 'bb', 'none']) memo.get(text);
  assert.equal(computed, 3);
  assert.equal(memo.get('none'), undefined);
  assert.equal(computed, 3, 'an undefined answer is remembered');
  memo.get('dddd'); // full: 'a' (the oldest) goes
  assert.equal(memo.size, 3);
  memo.get('bb');
  assert.equal(computed, 4, "'bb' is still kept");
  memo.get('a');
  assert.equal(computed, 5, "'a' was evicted");
  memo.get('a much longer text');
  memo.get('a much longer text');
  assert.equal(computed, 7, 'a text over maxKeyLength is computed every time');
  memo.clear();
  assert.equal(memo.size, 0);
});
