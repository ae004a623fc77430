export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_PREFIX,
  DEFAULT_TTL_GRACE_MS,
  type RedisStoreClock,
  type RedisTokenStoreOptions,
} from './options.js';
export { MIN_RECORD_TTL_MS } from './record-ttl.js';
export { RELEASE_SCRIPT } from './redis-lease.js';
export { createRedisTokenStore, type RedisTokenStore } from './redis-token-store.js';
export { type ParsedRedisUrl, parseRedisUrl, type RedisTarget } from './redis-url.js';
