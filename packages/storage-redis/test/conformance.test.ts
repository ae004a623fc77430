import { randomBytes } from 'node:crypto';
import { createRecordCipher, createRecordCodec } from '@hft/auth-core';
import { runTokenStoreConformance } from '@hft/storage-conformance';
import { type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, beforeAll } from 'vitest';
import { createRedisTokenStore } from '../src/index.js';

// One redis-server for the whole file; every test gets its own key prefix. Breaking the
// backend saves the data set and kills the server; repairing restarts it on the same port, so
// the same store instances must reconnect by themselves and still see what was written before.
let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.shutdown();
});

// The sample records expire on 2026-11-26 22:00 UTC: fix "now" before that, so their TTL does
// not depend on the day the suite runs.
const clock = { now: () => Date.UTC(2026, 10, 26, 4, 0, 0) };
let backends = 0;

for (const encrypted of [false, true]) {
  runTokenStoreConformance({
    name: `redis${encrypted ? ' (encrypted)' : ''}`,
    async setup() {
      backends += 1;
      const prefix = `conformance-${backends}:`;
      const cipher = encrypted ? createRecordCipher({ key: randomBytes(32) }) : undefined;
      return {
        async open() {
          const store = createRedisTokenStore({
            url: server.url(),
            prefix,
            clock,
            connectTimeoutMs: 500,
            commandTimeoutMs: 1000,
            ...(cipher ? { cipher } : {}),
          });
          await store.connect();
          return store;
        },
        breakBackend: () => server.stop(),
        repairBackend: () => server.restart(),
        async teardown() {
          await server.cli('FLUSHALL');
        },
        // What versions before the account index did: one plain SET of the record, no index entry.
        async writeAsOlderVersion(key, record) {
          const codec = createRecordCodec({ backend: 'redis', ...(cipher ? { cipher } : {}) });
          const ttl = record.tokens.daily!.expiresAt - clock.now();
          const value = JSON.stringify({ value: codec.encode(key, record), expires: Date.now() + ttl });
          await server.cli('SET', `${prefix}token:${key}`, value, 'PX', String(ttl));
        },
      };
    },
  });
}
