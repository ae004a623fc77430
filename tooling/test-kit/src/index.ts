export { makeRecord, problemWith, type TestRecord } from '../child/records.mjs';
export { CHROMIUM_LAUNCH_OPTIONS } from './chromium.js';
export { type EnsureBuiltOptions, ensureBuilt } from './ensure-built.js';
export { freePort } from './free-port.js';
export { type RedisServer, startRedis } from './redis-server.js';
export {
  type ChildExit,
  type ChildStoreSpec,
  forkStoreChild,
  killStoreChildren,
  STORE_CHILD_SCRIPT,
  type StoreChild,
  type StoreChildMode,
} from './store-child.js';
