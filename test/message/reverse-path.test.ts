/** The one reverse-path normalisation (RFC 5321 §4.1.2): spaces and one pair of angle brackets go. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripReversePath } from '../../src/core/message/reverse-path.js';

test('angle brackets and spaces are removed, inside and out', () => {
  for (const [input, expected] of [
    ['<a@example.com>', 'a@example.com'],
    ['  < a@example.com >  ', 'a@example.com'],
    ['a@example.com', 'a@example.com'],
    ['<>', ''],
    [' <> ', ''],
    ['', ''],
    ['<a@example.com', '<a@example.com'],
    ['<<a@example.com>>', '<a@example.com>'],
  ] as const)
    assert.equal(stripReversePath(input), expected, JSON.stringify(input));
});
