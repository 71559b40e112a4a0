/**
 * Opening the store named by `database` (`sqlite:PATH` or `postgres://…`). A schema newer than this code, or a
 * SQLite file that cannot be opened, is a `StartError` of kind `unavailable` (exit 69); a bad URL is `usage`. An
 * unreachable PostgreSQL server does not stop the start: the store reconnects by itself and `/healthz` says 503.
 */
import type { Logger } from 'pino';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { ServeConfig } from './config.js';
import { StartError } from './start-error.js';

export async function openConfiguredStore(config: ServeConfig, logger: Logger): Promise<Store> {
  try {
    return await openStore(config.database, { pool: config.databasePool, logger: logger.child({ part: 'store' }) });
  } catch (error) {
    const name = (error as Error).name;
    const message = (error as Error).message;
    switch (name) {
      case 'StoreUrlError':
        throw new StartError('usage', `database: ${message}`);
      case 'StoreSchemaTooNewError':
      case 'StoreUnavailableError':
        throw new StartError('unavailable', `database: ${message}`);
      default:
        throw new StartError('unavailable', `database: ${message}`);
    }
  }
}
