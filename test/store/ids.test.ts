/** Row ids: ULID layout, sorted by time, distinct across refills of the random pool. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/store/ids.js';

test('ids are 26 Crockford base32 characters that sort by their time', () => {
  const earlier = newId(1_700_000_000_000);
  const later = newId(1_700_000_000_001);
  assert.match(earlier, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.ok(earlier < later);
  assert.equal(newId(0).slice(0, 10), '0000000000');
});

test('ids made in the same millisecond are distinct, across many refills of the random pool', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i++) ids.add(newId(1_700_000_000_000));
  assert.equal(ids.size, 10_000);
  // The random parts are not all alike in any position (each of the 16 characters varies).
  const sample = [...ids].slice(0, 500);
  for (let position = 10; position < 26; position++) {
    assert.ok(new Set(sample.map((id) => id[position])).size > 8, `position ${position} barely varies`);
  }
});
