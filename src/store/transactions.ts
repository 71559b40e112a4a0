/**
 * How a store call writes: everything it changes commits together or not at all. On PostgreSQL a call is one
 * transaction (or one statement); on SQLite it joins the next group commit (`group-commit.ts`): one transaction,
 * begun `IMMEDIATE` (see `sqlite-dialect.ts`), with the call in its own savepoint.
 */
import type { Kysely, Transaction } from 'kysely';
import type { GroupCommit } from './group-commit.js';
import type { Database } from './schema.js';

export type StoreContext =
  { dialect: 'postgres'; db: Kysely<Database> } | { dialect: 'sqlite'; db: Kysely<Database>; groupCommit: GroupCommit };

/** Runs `work` atomically: in its own transaction (PostgreSQL), in the next group commit (SQLite). */
export function inTransaction<T>(context: StoreContext, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  switch (context.dialect) {
    case 'postgres':
      return context.db.transaction().execute(work);
    case 'sqlite':
      return context.groupCommit.run(work);
  }
}

/** Runs one statement atomically: alone on PostgreSQL, in the next group commit on SQLite. */
export function oneStatement<T>(context: StoreContext, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  switch (context.dialect) {
    case 'postgres':
      return work(context.db);
    case 'sqlite':
      return context.groupCommit.run(work);
  }
}
