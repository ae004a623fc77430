// The client's rate limits shared through Redis: two real processes, one real redis-server, the
// emulator counting what it accepts; and what an outage of the limiter does to orders and reads.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUpstoxClient, processTokenResponse, TokenManager } from '@hft/auth-core';
import { ensureBuilt, forkStoreChild, killStoreChildren, type RedisServer, startRedis } from '@hft/test-kit';
import { startUpstoxEmulator, type UpstoxEmulator } from '@hft/upstox-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const PACKAGE_DIR = join(here, '..');
const AUTH_CORE_DIR = join(here, '../../auth-core');
const ORDER = { instrument_token: 'NSE_EQ|INE002A01018', quantity: 1, transaction_type: 'BUY' };

let server: RedisServer;
let emu: UpstoxEmulator;
const closers: Array<() => Promise<unknown>> = [];
let prefixes = 0;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.shutdown();
});
afterEach(async () => {
  await killStoreChildren();
  for (const close of closers.splice(0).reverse()) await close();
});

async function account(options: { connectTimeoutMs?: number } = {}) {
  emu = await startUpstoxEmulator();
  closers.push(() => emu.close());
  emu.setStaticIps({ ips: ['127.0.0.1'] });
  prefixes += 1;
  const prefix = `limits${prefixes}:`;
  const storeOptions = { url: server.url(), prefix, connectTimeoutMs: options.connectTimeoutMs ?? 2000 };
  const store: RedisTokenStore = createRedisTokenStore(storeOptions);
  closers.push(() => store.close());
  const manager = new TokenManager({
    clientId: emu.defaultApp.clientId,
    redirectUri: emu.defaultApp.redirectUris[0]!,
    store,
    baseUrl: emu.url,
    watch: false,
  });
  closers.push(() => manager.close());
  await manager.setToken(processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId }));
  return { store, manager, storeOptions };
}

/** Accepted orders per emulator second, and every status it answered. */
function perSecond(e: UpstoxEmulator, path: string) {
  const orders = e.requests.filter((r) => r.path === path);
  const windows = new Map<number, number>();
  for (const r of orders) {
    if (r.status !== 200) continue;
    const second = Math.floor(r.time / 1000);
    windows.set(second, (windows.get(second) ?? 0) + 1);
  }
  return { windows, statuses: new Set(orders.map((r) => r.status)) };
}

describe('shared rate limits (Redis)', () => {
  it('two processes placing orders as fast as they can stay within 10 orders/s together', async () => {
    ensureBuilt(AUTH_CORE_DIR);
    ensureBuilt(PACKAGE_DIR);
    const { storeOptions } = await account();
    const spec = {
      module: join(PACKAGE_DIR, 'dist/index.js'),
      factory: 'createRedisTokenStore',
      options: storeOptions,
    };
    const args = {
      authCore: join(AUTH_CORE_DIR, 'dist/index.js'),
      baseUrl: emu.url,
      clientId: emu.defaultApp.clientId,
      redirectUri: emu.defaultApp.redirectUris[0]!,
      durationMs: 2200,
      concurrency: 4,
    };
    const children = [forkStoreChild('order-burst', spec, args), forkStoreChild('order-burst', spec, args)];
    for (const child of children) await child.next('ready');
    for (const child of children) child.send({ type: 'go' });
    const results = await Promise.all(
      children.map((c) => c.next<{ placed: number; errors: object }>('done')),
    );

    const { windows, statuses } = perSecond(emu, '/v2/order/place');
    // Never a 429 from Upstox's stand-in, and no emulator second ever held more than 10.
    expect([...statuses]).toEqual([200]);
    expect(Math.max(...windows.values())).toBeLessThanOrEqual(10);
    for (const r of results) {
      expect(r.errors).toEqual({});
      expect(r.placed).toBeGreaterThan(0);
    }
    expect(results[0]!.placed + results[1]!.placed).toBe([...windows.values()].reduce((a, b) => a + b, 0));
  }, 60_000);

  it('on a limiter outage orders fail closed (nothing sent) and reads fail open; the option flips it', async () => {
    const { store, manager } = await account({ connectTimeoutMs: 300 });
    const client = createUpstoxClient(manager, { baseUrl: emu.url, orderBaseUrl: emu.url });
    await client.post('/v2/order/place', ORDER);
    await server.stop();
    const before = emu.requests.length;
    const refused = await client.post('/v2/order/place', ORDER).then(
      () => undefined,
      (e: unknown) => e as { name: string; code: string; message: string },
    );
    expect(refused).toMatchObject({ name: 'StorageError', code: 'HFT_STORAGE_UNAVAILABLE' });
    expect(refused!.message).toMatch(/shared rate limiter \(redis\) is unavailable/);
    expect(emu.requests.length).toBe(before);
    // A read goes out under this process's own limits.
    const read = await client.get('/v2/user/profile');
    expect(read.status).toBe(200);
    // Orders can be told to fail open too.
    const open = createUpstoxClient(manager, {
      baseUrl: emu.url,
      orderBaseUrl: emu.url,
      sharedRateLimits: { outage: { order: 'open' } },
    });
    expect((await open.post('/v2/order/place', ORDER)).status).toBe(200);
    await server.restart();
    expect((await client.post('/v2/order/place', ORDER)).status).toBe(200);
    expect(store.rateLimits.name).toBe('redis');
  }, 30_000);

  it('keys the counters by user, outside the watched token space', async () => {
    const { store, manager } = await account();
    const client = createUpstoxClient(manager, { baseUrl: emu.url, orderBaseUrl: emu.url });
    await client.post('/v2/order/place', ORDER);
    const keys = (await server.cli('--scan', '--pattern', `${store.prefix}ratelimit:*`)).trim().split('\n');
    const user = emu.defaultUser.userId;
    expect(keys.some((k) => k.startsWith(`${store.prefix}ratelimit:order:${user}:1s:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${store.prefix}ratelimit:order:${user}:30m:`))).toBe(true);
  });
});
