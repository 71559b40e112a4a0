/**
 * Row ids: 26 characters of Crockford base32 (ULID layout): 48 bits of milliseconds then 80 random bits, so ids
 * sort by creation time (pages use `before=<id>`) and need no coordination between instances.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Random bytes drawn 4 KiB at a time from the CSPRNG and used 16 per id: one call into it per 256 ids instead of
 * one per id (an id is made for every message stored).
 */
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function randomSixteen(): Buffer {
  if (poolOffset + 16 > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const bytes = POOL.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

export function newId(now: number = Date.now()): string {
  let time = '';
  let value = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[value % 32] + time;
    value = Math.floor(value / 32);
  }
  const random = randomSixteen();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[(random[i] as number) % 32];
  return time + tail;
}
