import type { TokenStoreChange } from '@hft/auth-core';
import { ErrorCodes, StorageError } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { freePort, type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore, type RedisTokenStoreOptions } from '../src/index.js';

const CONNECT_MS = 400;
const COMMAND_MS = 600;
// Scheduling slack on a busy 2-core machine; the bounds under test are the timeouts above.
const SLACK_MS = 700;

let server: RedisServer;
const stores: RedisTokenStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.shutdown();
});
afterEach(async () => {
  server.thaw();
  await server.restart();
  for (const store of stores.splice(0)) await store.close();
});

function open(options: Partial<RedisTokenStoreOptions> = {}): RedisTokenStore {
  prefixes += 1;
  const store = createRedisTokenStore({
    url: server.url(),
    prefix: `outage${prefixes}:`,
    connectTimeoutMs: CONNECT_MS,
    commandTimeoutMs: COMMAND_MS,
    ...options,
  });
  stores.push(store);
  return store;
}

/** Runs `fn`, expecting a StorageError; returns it and how long the failure took. */
async function failure(fn: () => Promise<unknown>): Promise<{ error: StorageError; ms: number }> {
  const started = performance.now();
  const outcome = await fn().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const ms = performance.now() - started;
  if (!('error' in outcome)) throw new Error(`expected a StorageError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(StorageError);
  return { error: outcome.error as StorageError, ms };
}

describe('Redis stopped mid-test', () => {
  it('fails every call within the connect timeout, writes nothing, and the same instance recovers', async () => {
    const store = open();
    const kept = sampleRecord({ userId: 'KEEP1' });
    await store.set(kept.accountKey, kept);

    await server.stop();
    const replacement = withDaily(kept, { token: 'written-during-outage' });
    const other = sampleRecord({ userId: 'NEW1' });
    for (const attempt of [
      () => store.get(kept.accountKey),
      () => store.set(kept.accountKey, replacement),
      () => store.set(other.accountKey, other),
      () => store.delete(kept.accountKey),
      () => store.list(),
      () => store.withLock(kept.accountKey, 1_000, async () => 'never'),
    ]) {
      const { error, ms } = await failure(attempt);
      expect(error.code).toBe(ErrorCodes.STORAGE_UNAVAILABLE);
      expect(error.message).toMatch(/^redis store: /);
      expect(error.message).toContain(`127.0.0.1:${server.port}`);
      expect(ms).toBeLessThan(CONNECT_MS + SLACK_MS);
    }

    // Many callers at once while disconnected: each fails within the bound, none hangs.
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => store.get(`upstox:c:PAR${i}`)),
    );
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof StorageError)).toBe(true);
    expect(performance.now() - started).toBeLessThan(CONNECT_MS + SLACK_MS);

    await server.restart();
    // Same instance, no reopen: the old record is intact and nothing from the outage landed.
    expect(await store.get(kept.accountKey)).toEqual(kept);
    expect(await store.get(other.accountKey)).toBeUndefined();
    expect(await store.list()).toEqual([kept.accountKey]);
    await store.set(other.accountKey, other);
    expect(await store.get(other.accountKey)).toEqual(other);
  });

  it('keeps watching across the restart (resubscribes by itself)', async () => {
    const watcher = open();
    const writer = createRedisTokenStore({
      url: server.url(),
      prefix: watcher.prefix,
      connectTimeoutMs: CONNECT_MS,
      commandTimeoutMs: COMMAND_MS,
    });
    stores.push(writer);
    const record = sampleRecord();
    const changes: TokenStoreChange[] = [];
    watcher.watch(record.accountKey, (c) => changes.push(c));
    await watcher.connect();

    await server.stop();
    await server.restart();
    await watcher.connect(); // resolves once the subscriber is back and the channel subscribed
    await writer.set(record.accountKey, record);
    await expect
      .poll(() => changes.some((c) => c.record?.tokens.daily?.token === record.tokens.daily!.token), {
        timeout: 3_000,
      })
      .toBe(true);
  });

  it('fails within the connect timeout when Redis is down from the start, then works once it is up', async () => {
    await server.stop();
    const store = open();
    const { error, ms } = await failure(() => store.get('upstox:c:EARLY1'));
    expect(error.message).toMatch(/no connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0 within 400 ms/);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(CONNECT_MS + SLACK_MS);
    await expect(store.connect()).rejects.toBeInstanceOf(StorageError);

    await server.restart();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    expect(await store.get(record.accountKey)).toEqual(record);
  });

  it('fails with StorageError when nothing ever listened on the port', async () => {
    const port = await freePort();
    const store = createRedisTokenStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 });
    stores.push(store);
    const { error, ms } = await failure(() => store.list());
    expect(error.code).toBe(ErrorCodes.STORAGE_UNAVAILABLE);
    expect(ms).toBeLessThan(300 + SLACK_MS);
  });
});

describe('Redis that stops answering', () => {
  it('fails a call within the command timeout, and the same instance works once Redis answers again', async () => {
    const store = open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);

    server.freeze();
    const { error, ms } = await failure(() => store.get(record.accountKey));
    expect(error.message).toMatch(/did not answer within 600 ms/);
    expect(ms).toBeGreaterThanOrEqual(COMMAND_MS - 50);
    expect(ms).toBeLessThan(COMMAND_MS + SLACK_MS);
    // The hung connection was dropped; a new one cannot finish its handshake while frozen.
    const next = await failure(() =>
      store.set(record.accountKey, withDaily(record, { token: 'during-freeze' })),
    );
    expect(next.ms).toBeLessThan(CONNECT_MS + COMMAND_MS + SLACK_MS);

    server.thaw();
    await expect
      .poll(async () => (await store.get(record.accountKey).catch(() => undefined))?.tokens.daily?.token, {
        timeout: 5_000,
      })
      .toBeDefined();
    const after = withDaily(record, { token: 'after-thaw' });
    await store.set(after.accountKey, after);
    expect(await store.get(after.accountKey)).toEqual(after);
  });
});

describe('close()', () => {
  it('refuses further calls, is idempotent, and returns promptly while Redis is down', async () => {
    const store = open();
    store.watch('upstox:c:W1', () => {});
    await store.connect();
    await server.stop();
    await store.get('upstox:c:W1').catch(() => {});
    const started = performance.now();
    await store.close();
    await store.close();
    expect(performance.now() - started).toBeLessThan(CONNECT_MS + SLACK_MS);
    await expect(store.get('upstox:c:W1')).rejects.toThrow(/redis store: get after close\(\)/);
    expect(() => store.watch('upstox:c:W1', () => {})).toThrow(StorageError);
    await expect(store.connect()).rejects.toBeInstanceOf(StorageError);
  });
});
