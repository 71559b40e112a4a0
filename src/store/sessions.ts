/** Admin sessions of the dashboard, shared by every instance: a session id is valid until it expires or is deleted. */
import { oneStatement, type StoreContext } from './transactions.js';

export async function createSession(context: StoreContext, id: string, expiresAt: number): Promise<void> {
  await oneStatement(context, (db) => db.insertInto('sessions').values({ id, expires_at: expiresAt }).execute());
}

export async function sessionValid(context: StoreContext, id: string, now: number): Promise<boolean> {
  const row = await context.db
    .selectFrom('sessions')
    .select('id')
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteSession(context: StoreContext, id: string): Promise<void> {
  await oneStatement(context, (db) => db.deleteFrom('sessions').where('id', '=', id).execute());
}
