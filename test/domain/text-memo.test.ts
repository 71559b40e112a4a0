/** memoizeByText: answers (undefined too) computed once per text, within its bounds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoizeByText } from '../../src/core/text-memo.js';

test('each text is computed once, an undefined answer included', () => {
  const calls: string[] = [];
  const lengthOrNothing = memoizeByText(
    (text) => {
      calls.push(text);
      return text === '' ? undefined : text.length;
    },
    { maxEntries: 10, maxKeyLength: 100 },
  );
  assert.equal(lengthOrNothing('abc'), 3);
  assert.equal(lengthOrNothing('abc'), 3);
  assert.equal(lengthOrNothing(''), undefined);
  assert.equal(lengthOrNothing(''), undefined);
  assert.deepEqual(calls, ['abc', '']);
});

test('full: emptied, then filled again; long texts are never kept', () => {
  let calls = 0;
  const same = memoizeByText(
    (text) => {
      calls++;
      return text;
    },
    { maxEntries: 2, maxKeyLength: 3 },
  );
  same('a');
  same('b');
  same('c'); // the memo held 2: emptied, then 'c' kept
  calls = 0;
  same('c');
  assert.equal(calls, 0);
  same('a');
  assert.equal(calls, 1, "'a' went when the memo was emptied");
  same('long');
  same('long');
  assert.equal(calls, 3, 'a text over maxKeyLength is computed each time');
});
