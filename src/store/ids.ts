/**
 * Row ids: 26 characters of Crockford base32 (ULID layout): 48 bits of milliseconds then 80 random bits, so ids
 * sort by creation time (pages use `before=<id>`) and need no coordination between instances.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newId(now: number = Date.now()): string {
  let time = '';
  let value = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[value % 32] + time;
    value = Math.floor(value / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[(random[i] as number) % 32];
  return time + tail;
}
