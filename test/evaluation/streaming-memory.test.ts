/**
 * Streaming keeps memory flat for every body canonicalization (RFC 6376 §3.4.3 simple, §3.4.4 relaxed): a body
 * with no line break at all, fed through `createEvaluator()` in 64 KiB chunks, must not be kept until its end.
 * Memory is read as `process.memoryUsage().arrayBuffers` (the bytes held in ArrayBuffers and Buffers) after a full
 * collection; it grows by the body's size when a hasher keeps the open line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEvaluator, createResolver } from '../../src/core/index.js';

const CHUNK = 64 * 1024;
const BODY = 96 * 1024 * 1024;
// A full collection before each reading, so that garbage (the copies of chunks a hasher let go) is not counted.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Far below the body size, far above what the hashers' staging buffers and one chunk need. */
const ALLOWED_GROWTH = 24 * 1024 * 1024;

function header(canonicalization: string): string {
  const bh = Buffer.alloc(32, 7).toString('base64');
  const b = Buffer.alloc(64, 9).toString('base64');
  return (
    'From: a@example.com\r\nTo: b@example.org\r\nSubject: long line\r\n' +
    `DKIM-Signature: v=1; a=rsa-sha256; c=${canonicalization}; d=example.com; s=sel; h=from; bh=${bh}; b=${b}\r\n` +
    '\r\n'
  );
}

async function peakGrowth(canonicalization: string, fill: number): Promise<number> {
  const evaluator = createEvaluator(
    { ip: '192.0.2.1', helo: 'mail.example.com', mailFrom: 'a@example.com' },
    { resolver: createResolver({ zone: [] }) },
  );
  evaluator.write(header(canonicalization));
  const chunk = new Uint8Array(CHUNK).fill(fill);
  collect();
  const start = process.memoryUsage().arrayBuffers;
  let peak = 0;
  for (let written = 0; written < BODY; written += CHUNK) {
    evaluator.write(chunk);
    if (written % (8 * 1024 * 1024) !== 0) continue;
    collect();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - start);
  }
  collect();
  peak = Math.max(peak, process.memoryUsage().arrayBuffers - start);
  const evaluation = await evaluator.end();
  collect();
  peak = Math.max(peak, process.memoryUsage().arrayBuffers - start);
  // The signature was read and its body hashed (the key is missing, so it does not verify).
  assert.equal(evaluation.dkim.length, 1);
  return peak;
}

for (const c of ['simple/simple', 'relaxed/simple', 'simple/relaxed', 'relaxed/relaxed']) {
  for (const [what, fill] of [
    ['letters', 0x61],
    ['CRs', 0x0d],
  ] as const) {
    test(`a ${BODY >> 20} MiB body of ${what} without a line break under c=${c} is not kept`, async () => {
      const growth = await peakGrowth(c, fill);
      assert.ok(growth < ALLOWED_GROWTH, `arrayBuffers grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    });
  }
}
