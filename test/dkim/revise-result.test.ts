/**
 * `reviseResult` on DKIM results (the copies the verifier and DMARC make): every field of the input survives unless
 * changed, for results with every optional field present or absent and every combination of changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DkimResult } from '../../src/core/dkim/index.js';
import { reviseResult, type ResultChanges } from '../../src/core/revise-result.js';
import { seededRandom } from '../support/random.js';

/** The optional fields of a DKIM result, with a value for each. */
const OPTIONAL: ReadonlyArray<[keyof DkimResult, unknown]> = [
  ['identity', '@example.com'],
  ['headerB', 'AbCdEfGh'],
  ['testing', false],
  ['aligned', false],
  ['error', { code: 'dkim.signature', message: 'the signature does not verify' }],
];

/** The changes the code makes, with a value for each. */
const CHANGES: ReadonlyArray<[keyof DkimResult, unknown]> = [
  ['result', 'permerror'],
  ['testing', true],
  ['error', { code: 'dkim.key-type', message: 'k= differs from a=' }],
  ['aligned', true],
];

function dkimResult(present: number): DkimResult {
  const out: Record<string, unknown> = {
    result: 'pass',
    domain: 'example.com',
    selector: 's1',
    algorithm: 'rsa-sha256',
  };
  OPTIONAL.forEach(([key, value], i) => {
    if (present & (1 << i)) out[key] = value;
  });
  return out as unknown as DkimResult;
}

test('every field survives unless changed; changed fields take the new value; nothing else appears', () => {
  for (let present = 0; present < 1 << OPTIONAL.length; present++) {
    for (let chosen = 0; chosen < 1 << CHANGES.length; chosen++) {
      const base = dkimResult(present);
      const before = structuredClone(base);
      const changes: ResultChanges<DkimResult> = {};
      CHANGES.forEach(([key, value], i) => {
        if (chosen & (1 << i)) (changes as Record<string, unknown>)[key] = value;
      });
      const revised = reviseResult(base, changes);
      const label = JSON.stringify({ base, changes });
      assert.notEqual(revised, base, label);
      assert.deepEqual(base, before, `the input is unchanged: ${label}`);
      for (const [key, value] of Object.entries(base))
        assert.deepEqual(revised[key as keyof DkimResult], key in changes ? changes[key as keyof DkimResult] : value);
      for (const [key, value] of Object.entries(changes))
        assert.deepEqual(revised[key as keyof DkimResult], value, label);
      assert.deepEqual(
        Object.keys(revised),
        [...Object.keys(base), ...Object.keys(changes).filter((key) => !(key in base))],
        `base's fields in their order, then the added ones: ${label}`,
      );
    }
  }
});

test('a change given as undefined leaves the field as it was', () => {
  const revised = reviseResult(dkimResult(0b11111), { aligned: undefined, testing: undefined, result: 'fail' });
  assert.deepEqual(revised, { ...dkimResult(0b11111), result: 'fail' });
  assert.deepEqual(Object.keys(revised), Object.keys(dkimResult(0b11111)));
  assert.deepEqual(Object.keys(reviseResult(dkimResult(0), { error: undefined })), Object.keys(dkimResult(0)));
});

test('random results with random changes: the same fields as a spread, in the same order', () => {
  const random = seededRandom(1024);
  for (let round = 0; round < 500; round++) {
    const base = dkimResult(Math.floor(random() * (1 << OPTIONAL.length)));
    const changes: Record<string, unknown> = {};
    for (const [key, value] of CHANGES) if (random() < 0.5) changes[key] = random() < 0.2 ? undefined : value;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const revised = reviseResult(base, changes as ResultChanges<DkimResult>);
    const spread = { ...base, ...defined };
    assert.deepEqual(revised, spread);
    assert.deepEqual(Object.keys(revised), Object.keys(spread));
  }
});
