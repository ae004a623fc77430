export { CHROMIUM_LAUNCH_OPTIONS } from './chromium.js';
export { freePort } from './free-port.js';
export { type RedisServer, startRedis } from './redis-server.js';
