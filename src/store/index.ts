/** The store of `mailtrust serve`: open it with `openStore(url)`; see docs/store.md. */
export { openStore, parseStoreUrl } from './open.js';
export type { OpenStoreOptions, StoreLocation } from './open.js';
export { StoreSchemaTooNewError, StoreUnavailableError, StoreUrlError } from './errors.js';
export { SCHEMA_VERSION } from './migrations.js';
export { newId } from './ids.js';
export type * from './types.js';
