/**
 * Opening the store named by `database` (`sqlite:PATH` or `postgres://…`). A database that refuses at start, or a
 * schema newer than this code, is a `StartError` of kind `unavailable` (exit 69).
 */
import type { Store } from '../store/types.js';
import type { ServeConfig } from './config.js';
import { StartError } from './start-error.js';

export async function openConfiguredStore(config: ServeConfig): Promise<Store> {
  // The SQLite and PostgreSQL stores are wired here once src/store implements them.
  throw new StartError('unavailable', `database: no store implementation for ${config.database} in this build`);
}
