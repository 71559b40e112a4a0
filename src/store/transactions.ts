/**
 * How a store call writes: everything it changes commits together or not at all, in one transaction. On SQLite
 * that transaction begins `IMMEDIATE` (see `sqlite-dialect.ts`), so a call never fails half-way for a lock it
 * could have waited for; on PostgreSQL a call of one statement needs no transaction of its own.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from './migrations.js';
import type { Database } from './schema.js';

export interface StoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
}

/** Runs `work` in one transaction. */
export function inTransaction<T>(context: StoreContext, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return context.db.transaction().execute(work);
}

/** Runs one statement atomically: alone on PostgreSQL, inside `BEGIN IMMEDIATE` on SQLite. */
export function oneStatement<T>(context: StoreContext, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  switch (context.dialect) {
    case 'postgres':
      return work(context.db);
    case 'sqlite':
      return context.db.transaction().execute(work);
  }
}
