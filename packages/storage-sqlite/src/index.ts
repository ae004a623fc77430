export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_LEASE_TABLE,
  DEFAULT_TABLE,
  DEFAULT_WATCH_INTERVAL_MS,
  type SqliteTokenStoreOptions,
} from './sqlite-options.js';
export { createSqliteTokenStore } from './sqlite-token-store.js';
