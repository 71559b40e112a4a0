/**
 * Errors the store rejects with. Each has a fixed `name`, so callers can tell them apart across module copies
 * (`error.name === 'StoreUnavailableError'`) as well as with `instanceof`.
 */

/**
 * The database cannot be reached or cannot take the write right now (PostgreSQL down or unreachable, a lost
 * connection, SQLite locked beyond its busy timeout or out of disk). Nothing was committed by the call that
 * rejected; faces answer a temporary failure (SMTP `451 4.3.0`, HTTP 503) and the store reconnects by itself.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The database's schema is newer than this code knows (a newer version of mailtrust migrated it). Running on
 * would risk writing rows the newer schema does not expect, so the store refuses to open.
 */
export class StoreSchemaTooNewError extends Error {
  override readonly name = 'StoreSchemaTooNewError';
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `the database schema is version ${databaseVersion}, newer than version ${codeVersion} that this mailtrust knows; ` +
        'run a mailtrust at least as new as the one that migrated it',
    );
  }
}

/** The `database` URL is neither `sqlite:PATH` nor `postgres://…` / `postgresql://…`. */
export class StoreUrlError extends Error {
  override readonly name = 'StoreUrlError';
}
