export { CHROMIUM_LAUNCH_OPTIONS } from './chromium.js';
export { type EnsureBuiltOptions, ensureBuilt } from './ensure-built.js';
export { freePort } from './free-port.js';
export { type RedisServer, startRedis } from './redis-server.js';
