/**
 * Tokens that may be used once, across every instance: an ALTCHA solution's challenge is recorded when first
 * used, and any later use of it is a replay. The record is kept until `expiresAt` (the challenge's own expiry,
 * after which the caller refuses it anyway); retention deletes it then.
 */
import { oneStatement, type StoreContext } from './transactions.js';

/** True the first time `token` is seen; false on every replay. */
export async function useOnce(context: StoreContext, token: string, expiresAt: number): Promise<boolean> {
  const inserted = await oneStatement(context, (db) =>
    db
      .insertInto('one_time_tokens')
      .values({ token, expires_at: expiresAt })
      .onConflict((conflict) => conflict.column('token').doNothing())
      .returning('token')
      .executeTakeFirst(),
  );
  return inserted !== undefined;
}
