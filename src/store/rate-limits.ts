/**
 * Sliding-window rate limits shared by every instance: one row per counted event, counted over the last
 * `windowMs`. The count and the insert happen under one lock per key (PostgreSQL `pg_advisory_xact_lock` on the
 * key's hash; SQLite's single writer), so two instances counting the same key at once both see each other.
 */
import { sql } from 'kysely';
import { newId } from './ids.js';
import { inTransaction, type StoreContext } from './transactions.js';
import type { RateLimitResult } from './types.js';

export async function hitRateLimit(
  context: StoreContext,
  key: string,
  limit: number,
  windowMs: number,
  now: number,
): Promise<RateLimitResult> {
  return inTransaction(context, async (trx) => {
    if (context.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
    }
    // Events of this key that have left their window are no longer counted; drop them as we go.
    await trx.deleteFrom('rate_events').where('key', '=', key).where('expires_at', '<=', now).execute();
    await trx
      .insertInto('rate_events')
      .values({ id: newId(now), key, at: now, expires_at: now + windowMs })
      .execute();
    const row = await trx
      .selectFrom('rate_events')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.min('at').as('oldest')])
      .where('key', '=', key)
      .where('at', '>', now - windowMs)
      .executeTakeFirstOrThrow();
    const count = Number(row.count);
    return { allowed: count <= limit, count, resetAt: Number(row.oldest ?? now) + windowMs };
  });
}
