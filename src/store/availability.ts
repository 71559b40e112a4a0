/**
 * Which database errors mean "not now" rather than "wrong": they become `StoreUnavailableError`, which the faces
 * answer with a temporary failure. Everything else (a constraint broken, a bug) passes through unchanged.
 */
import { StoreUnavailableError } from './errors.js';

/** Node.js socket errors seen when PostgreSQL is stopped, unreachable or drops the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLite result codes (primary code, before the first `_` of an extended one) that are temporary. */
const SQLITE_TEMPORARY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN']);

/** pg's own messages for a connection it lost or could not get. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'connect ECONNREFUSED',
  'Query read timeout',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // PostgreSQL SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator
    // intervention: admin shutdown, crash shutdown, cannot connect now).
    if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code)) return true;
    if (code.startsWith('SQLITE_')) {
      const primary = code.split('_').slice(0, 2).join('_');
      if (SQLITE_TEMPORARY.has(primary)) return true;
    }
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return PG_CONNECTION_MESSAGES.some((text) => error.message.includes(text));
}

/** Runs one store call; a temporary database failure rejects as `StoreUnavailableError` with the cause kept. */
export async function guarded<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    if (isUnavailable(error)) {
      throw new StoreUnavailableError(`database unavailable during ${what}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
