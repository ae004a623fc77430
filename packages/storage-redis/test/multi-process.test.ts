import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMultiProcessConformance } from '@hft/storage-conformance';
import { freePort, type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, beforeAll, expect } from 'vitest';
import { createRedisTokenStore } from '../src/index.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const MODULE = join(PACKAGE_DIR, 'dist', 'index.js');

// One redis-server for the file; every test gets its own key prefix.
let server: RedisServer;
let prefixes = 0;
beforeAll(async () => {
  server = await startRedis();
}, 60_000);
afterAll(async () => {
  await server?.shutdown();
});

runMultiProcessConformance({
  name: 'redis (encrypted)',
  packageDir: PACKAGE_DIR,
  // Sealed values: a watcher in another process decodes what it hears with the shared key.
  encrypted: true,
  async setup() {
    prefixes += 1;
    const prefix = `mp${prefixes}:`;
    const options = { url: server.url(), prefix, connectTimeoutMs: 5_000, commandTimeoutMs: 5_000 };
    return {
      child: { module: MODULE, factory: 'createRedisTokenStore', options },
      open: async (cipher) => createRedisTokenStore({ ...options, ...(cipher ? { cipher } : {}) }),
      async inspectLock(key, holderPid) {
        expect(await server.cli('GET', `${prefix}lock:${key}`)).toMatch(new RegExp(`^${holderPid}:`));
      },
      async afterMixed() {
        expect(await server.cli('KEYS', `${prefix}lock:*`)).toBe('');
      },
      async teardown() {
        await server.cli('FLUSHALL');
      },
    };
  },
  async unreachable() {
    const port = await freePort();
    return {
      module: MODULE,
      factory: 'createRedisTokenStore',
      options: { url: `redis://127.0.0.1:${port}`, prefix: 'down:', connectTimeoutMs: 300 },
    };
  },
});
