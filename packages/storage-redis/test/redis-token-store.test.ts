import { randomBytes } from 'node:crypto';
import { createRecordCipher, type TokenRecord, type TokenStoreChange } from '@hft/auth-core';
import { ErrorCodes } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { type RedisServer, startRedis } from '@hft/test-kit';
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisTokenStore,
  DEFAULT_TTL_GRACE_MS,
  MIN_RECORD_TTL_MS,
  RELEASE_SCRIPT,
  type RedisTokenStore,
  type RedisTokenStoreOptions,
} from '../src/index.js';

const HOUR = 3_600_000;
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
  for (const store of stores.splice(0)) await store.close();
});

/** A manual clock: tests move time by hand. */
function manualClock(start: number) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

async function open(options: Partial<RedisTokenStoreOptions> = {}): Promise<RedisTokenStore> {
  const store = createRedisTokenStore({ url: server.url(), connectTimeoutMs: 1000, ...options });
  stores.push(store);
  await store.connect();
  return store;
}

const freshPrefix = () => {
  prefixes += 1;
  return `t${prefixes}:`;
};

describe('records and TTL', () => {
  it('keeps records at <prefix>token:<key> with TTL = expiresAt + grace - now', async () => {
    const prefix = freshPrefix();
    const record = sampleRecord();
    // The daily token alone: a set's TTL follows its longest-lived token (tested below).
    delete record.tokens.extended;
    const clock = manualClock(record.tokens.daily!.expiresAt - 2 * HOUR);
    const store = await open({ prefix, clock, ttlGraceMs: 30 * 60_000 });
    await store.set(record.accountKey, record);

    const redisKey = `${prefix}token:${record.accountKey}`;
    expect((await server.cli('KEYS', `${prefix}*`)).split('\n').sort()).toEqual([
      `${prefix}accounts`,
      redisKey,
    ]);
    // The account index entry: the record's expiry stamp, then its summary (no secret).
    const entry = await server.cli('HGET', `${prefix}accounts`, record.accountKey);
    expect(entry).toMatch(/^\d+\|\{"key":"upstox:/);
    expect(entry).not.toContain(record.tokens.daily!.token);
    const pttl = Number(await server.cli('PTTL', redisKey));
    const expected = 2 * HOUR + 30 * 60_000;
    expect(pttl).toBeLessThanOrEqual(expected);
    expect(pttl).toBeGreaterThan(expected - 5_000);

    // Written again an hour later (manual clock): the TTL follows the clock, not the first write.
    clock.advance(HOUR);
    await store.set(record.accountKey, record);
    const later = Number(await server.cli('PTTL', redisKey));
    expect(later).toBeLessThanOrEqual(expected - HOUR);
    expect(later).toBeGreaterThan(expected - HOUR - 5_000);
  });

  it('uses a 6 h grace by default', async () => {
    const prefix = freshPrefix();
    const record = sampleRecord();
    // The daily token alone: a set's TTL follows its longest-lived token (tested below).
    delete record.tokens.extended;
    const store = await open({ prefix, clock: manualClock(record.tokens.daily!.expiresAt) });
    await store.set(record.accountKey, record);
    const pttl = Number(await server.cli('PTTL', `${prefix}token:${record.accountKey}`));
    expect(DEFAULT_TTL_GRACE_MS).toBe(6 * HOUR);
    expect(pttl).toBeLessThanOrEqual(6 * HOUR);
    expect(pttl).toBeGreaterThan(6 * HOUR - 5_000);
  });

  it('gives a record whose expiry and grace are long past a short positive TTL, never an error', async () => {
    const prefix = freshPrefix();
    const record = sampleRecord();
    // The daily token alone: a set's TTL follows its longest-lived token (tested below).
    delete record.tokens.extended;
    const store = await open({ prefix, clock: manualClock(record.tokens.daily!.expiresAt + 30 * 24 * HOUR) });

    await store.set(record.accountKey, record);
    const pttl = Number(await server.cli('PTTL', `${prefix}token:${record.accountKey}`));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(MIN_RECORD_TTL_MS);
    expect(await store.get(record.accountKey)).toEqual(record);
  });

  it('keeps a credential set as long as its longest-lived token (the year-long extended one)', async () => {
    const prefix = freshPrefix();
    const record = sampleRecord();
    const store = await open({ prefix, clock: manualClock(record.tokens.daily!.expiresAt) });
    await store.set(record.accountKey, record);
    const pttl = Number(await server.cli('PTTL', `${prefix}token:${record.accountKey}`));
    const expected =
      record.tokens.extended!.expiresAt + DEFAULT_TTL_GRACE_MS - record.tokens.daily!.expiresAt;
    expect(pttl).toBeGreaterThan(expected - 5_000);
    expect(pttl).toBeLessThanOrEqual(expected);
    await store.close();
  });

  it('fails a set with a clock that answers NaN, writing nothing', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix, clock: { now: () => Number.NaN } });
    const record = sampleRecord();
    await expect(store.set(record.accountKey, record)).rejects.toMatchObject({ name: 'StorageError' });
    expect(await server.cli('KEYS', `${prefix}*`)).toBe('');
  });

  it('stores only sealed bytes when a cipher is set', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix, cipher: createRecordCipher({ key: randomBytes(32) }) });
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const raw = await server.cli('GET', `${prefix}token:${record.accountKey}`);
    expect(raw).toContain('hft_sealed');
    expect(raw).not.toContain(record.tokens.daily!.token);
    expect(raw).not.toContain(record.userId);
    expect(await store.get(record.accountKey)).toEqual(record);
  });

  it('lists only its own prefix', async () => {
    const a = await open({ prefix: freshPrefix() });
    const b = await open({ prefix: freshPrefix() });
    const ra = sampleRecord({ userId: 'AAA1' });
    const rb = sampleRecord({ userId: 'BBB2' });
    await a.set(ra.accountKey, ra);
    await b.set(rb.accountKey, rb);
    expect(await a.list()).toEqual([ra.accountKey]);
    expect(await b.list()).toEqual([rb.accountKey]);
    expect(await a.get(rb.accountKey)).toBeUndefined();
  });
});

describe('withLock on SET NX PX with compare-and-delete release', () => {
  it('keeps the lock as <prefix>lock:<key> with the lease as its PTTL, and removes it after', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix });
    const key = 'upstox:c:LOCK1';
    const seen = await store.withLock(key, 5_000, async () => ({
      owner: await server.cli('GET', `${prefix}lock:${key}`),
      pttl: Number(await server.cli('PTTL', `${prefix}lock:${key}`)),
    }));
    expect(seen.owner).toMatch(new RegExp(`^${process.pid}:`));
    expect(seen.pttl).toBeGreaterThan(0);
    expect(seen.pttl).toBeLessThanOrEqual(5_000);
    expect(await server.cli('EXISTS', `${prefix}lock:${key}`)).toBe('0');
  });

  it('a holder whose lease ran out does not delete the next holder lock when it finishes', async () => {
    const prefix = freshPrefix();
    const first = await open({ prefix });
    const second = await open({ prefix });
    const third = await open({ prefix });
    const key = 'upstox:c:LEASE1';
    const lockKey = `${prefix}lock:${key}`;

    let finishFirst!: () => void;
    const firstMayFinish = new Promise<void>((r) => {
      finishFirst = r;
    });
    let firstEntered!: () => void;
    const firstIn = new Promise<void>((r) => {
      firstEntered = r;
    });
    const firstRun = first.withLock(key, 60_000, async () => {
      firstEntered();
      await firstMayFinish;
    });
    await firstIn;
    const firstOwner = await server.cli('GET', lockKey);

    // The first holder's lease runs out on the server (as if it had stalled past its lease).
    await server.cli('PEXPIRE', lockKey, '1');
    let releaseSecond!: () => void;
    const secondMayFinish = new Promise<void>((r) => {
      releaseSecond = r;
    });
    let secondEntered!: () => void;
    const secondIn = new Promise<void>((r) => {
      secondEntered = r;
    });
    const secondRun = second.withLock(
      key,
      60_000,
      async () => {
        secondEntered();
        await secondMayFinish;
      },
      { waitMs: 5_000 },
    );
    await secondIn;
    const secondOwner = await server.cli('GET', lockKey);
    expect(secondOwner).not.toBe(firstOwner);

    // The stale first holder finishes and releases: the compare-and-delete leaves the new lock.
    finishFirst();
    await firstRun;
    expect(await server.cli('GET', lockKey)).toBe(secondOwner);
    const err = await third
      .withLock(key, 60_000, async () => 'never', { waitMs: 150 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.STORAGE_LOCK_TIMEOUT });

    releaseSecond();
    await secondRun;
    expect(await server.cli('EXISTS', lockKey)).toBe('0');
  });

  it('the release script deletes only the matching owner', async () => {
    await server.cli('SET', 'script-test', 'owner-B');
    expect(await server.cli('EVAL', RELEASE_SCRIPT, '1', 'script-test', 'owner-A')).toBe('0');
    expect(await server.cli('GET', 'script-test')).toBe('owner-B');
    expect(await server.cli('EVAL', RELEASE_SCRIPT, '1', 'script-test', 'owner-B')).toBe('1');
    expect(await server.cli('EXISTS', 'script-test')).toBe('0');
  });
});

describe('watch over Redis client tracking', () => {
  const waitForChange = async (changes: TokenStoreChange[], predicate: (c: TokenStoreChange) => boolean) => {
    await expect.poll(() => changes.some(predicate), { timeout: 3_000, interval: 10 }).toBe(true);
    return changes.find(predicate)!;
  };
  /** The stored form of `record` (Keyv's envelope around the codec's JSON), as a raw client would write it. */
  const storedForm = (record: TokenRecord) =>
    JSON.stringify({ value: JSON.stringify(record), expires: Date.now() + HOUR });

  /** A watcher and a writer on one fresh prefix; the watcher follows `record`'s account, live. */
  const watchedPair = async () => {
    const prefix = freshPrefix();
    const watcher = await open({ prefix });
    const writer = await open({ prefix });
    const record = sampleRecord();
    const changes: TokenStoreChange[] = [];
    watcher.watch(record.accountKey, (c) => changes.push(c));
    await watcher.connect();
    return { prefix, watcher, writer, record, changes };
  };

  it('delivers the record across two instances, then the delete', async () => {
    const { writer, record, changes } = await watchedPair();
    await writer.set(record.accountKey, record);
    const seen = await waitForChange(changes, (c) => c.kind === 'set');
    expect(seen).toEqual({ key: record.accountKey, kind: 'set', record });
    await writer.delete(record.accountKey);
    expect(await waitForChange(changes, (c) => c.kind === 'delete')).toEqual({
      key: record.accountKey,
      kind: 'delete',
    });
  });

  it('hears of writes by any client, deletes and expiries: Redis announces them, a set publishes nothing', async () => {
    const prefix = freshPrefix();
    const watcher = await open({ prefix });
    const writer = await open({ prefix });
    const record = sampleRecord();
    const redisKey = `${prefix}token:${record.accountKey}`;
    const changes: TokenStoreChange[] = [];
    watcher.watch(record.accountKey, (c) => changes.push(c));
    await watcher.connect();

    const published = async () =>
      (await server.cli('INFO', 'commandstats')).match(/cmdstat_publish:calls=(\d+)/)?.[1];
    const publishesBefore = await published();
    await writer.set(record.accountKey, record);
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === record.tokens.daily!.token);
    expect(await published()).toBe(publishesBefore);

    const foreign = withDaily(record, { token: 'written-by-redis-cli' });
    await server.cli('SET', redisKey, storedForm(foreign));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'written-by-redis-cli');
    await server.cli('DEL', redisKey);
    await waitForChange(changes, (c) => c.kind === 'delete');

    changes.length = 0;
    await server.cli('SET', redisKey, storedForm(withDaily(record, { token: 'short-lived' })), 'PX', '150');
    await waitForChange(changes, (c) => c.kind === 'delete');
  });

  it('ends a burst of writes on the last value, reading once per burst rather than per write', async () => {
    const { writer, record, changes } = await watchedPair();
    for (let i = 0; i < 50; i++)
      await writer.set(record.accountKey, withDaily(record, { token: `burst-${i}` }));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'burst-49');
    expect(changes.length).toBeLessThanOrEqual(50);
    expect(changes.at(-1)?.record?.tokens.daily?.token).toBe('burst-49');
  });

  it('reports a record it cannot read as "changed" without a record, so the watcher re-reads and meets the error', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix });
    const key = 'upstox:c:GARBAGE1';
    const changes: TokenStoreChange[] = [];
    store.watch(key, (c) => changes.push(c));
    await store.connect();
    await server.cli('SET', `${prefix}token:${key}`, JSON.stringify({ value: 'not json at all' }));
    expect(await waitForChange(changes, () => true)).toEqual({ key, kind: 'set' });
    await expect(store.get(key)).rejects.toMatchObject({ code: ErrorCodes.STORAGE_CORRUPT });
  });

  it('decodes sealed notifications with the key, and reports them without a record to a watcher without it', async () => {
    const prefix = freshPrefix();
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const writer = await open({ prefix, cipher });
    const sameKey = await open({ prefix, cipher });
    const otherKey = await open({ prefix, cipher: createRecordCipher({ key: randomBytes(32) }) });
    const record = sampleRecord();
    const withKey: TokenStoreChange[] = [];
    const withoutKey: TokenStoreChange[] = [];
    sameKey.watch(record.accountKey, (c) => withKey.push(c));
    otherKey.watch(record.accountKey, (c) => withoutKey.push(c));
    await sameKey.connect();
    await otherKey.connect();
    await writer.set(record.accountKey, record);
    expect((await waitForChange(withKey, (c) => c.kind === 'set')).record).toEqual(record);
    const blind = await waitForChange(withoutKey, (c) => c.kind === 'set');
    expect(blind.record).toBeUndefined();
    await expect(otherKey.get(record.accountKey)).rejects.toMatchObject({
      code: ErrorCodes.STORAGE_WRONG_KEY,
    });
  });

  it('refuses plain records with a key set, and never overwrites a record sealed under another key', async () => {
    const prefix = freshPrefix();
    const key = randomBytes(32);
    const plain = await open({ prefix });
    const plainRecord = sampleRecord({ userId: 'PLAIN1' });
    await plain.set(plainRecord.accountKey, plainRecord);
    const sealed = await open({ prefix, cipher: createRecordCipher({ key }) });
    await expect(sealed.get(plainRecord.accountKey)).rejects.toMatchObject({
      code: ErrorCodes.STORAGE_UNSEALED,
    });
    const record = sampleRecord();
    await sealed.set(record.accountKey, record);
    const forged = withDaily(record, { token: 'replacement', issuedAt: record.tokens.daily!.issuedAt + 1 });
    for (const wrong of [
      await open({ prefix, cipher: createRecordCipher({ key: randomBytes(32) }) }),
      plain,
    ]) {
      await expect(wrong.set(record.accountKey, forged)).rejects.toMatchObject({
        code: ErrorCodes.STORAGE_WRONG_KEY,
        message: expect.stringContaining('nothing was written'),
      });
    }
    expect(await sealed.get(record.accountKey)).toEqual(record);
    const rotated = await open({
      prefix,
      cipher: createRecordCipher({ key: randomBytes(32), previous: { key } }),
    });
    expect(await rotated.get(record.accountKey)).toEqual(record);
    await rotated.set(record.accountKey, record);
    await expect(sealed.get(record.accountKey)).rejects.toMatchObject({ code: ErrorCodes.STORAGE_WRONG_KEY });

    // A plain record that merely mentions the seal's mark is handed back by the write script
    // and then replaced: the codec, not the script, decides what is sealed.
    const mention = sampleRecord({ userId: 'MARK1', userName: 'hft_sealed fan' });
    await plain.set(mention.accountKey, mention);
    const renamed = { ...mention, userName: 'hft_sealed fan 2' };
    await plain.set(mention.accountKey, renamed);
    expect(await plain.get(mention.accountKey)).toEqual(renamed);
  });

  it('tells a watcher of the writing instance exactly once', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix });
    const other = await open({ prefix });
    const record = sampleRecord();
    const changes: TokenStoreChange[] = [];
    store.watch(record.accountKey, (c) => changes.push(c));
    const fromOther: TokenStoreChange[] = [];
    other.watch(record.accountKey, (c) => fromOther.push(c));
    await store.connect();
    await other.connect();
    await store.set(record.accountKey, record);
    // Once the other instance heard of the write, this one must have heard it too (NOLOOP).
    await waitForChange(fromOther, (c) => c.kind === 'set');
    await store.delete(record.accountKey);
    await waitForChange(fromOther, (c) => c.kind === 'delete');
    expect(changes.map((c) => c.kind)).toEqual(['set', 'delete']);
  });

  it('shares one subscriber connection between all watches, and tracks only the records prefix', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix });
    const stops = ['A1', 'B2', 'C3', 'D4'].map((user) => store.watch(`upstox:c:${user}`, () => {}));
    await store.connect();
    const clients = await server.cli('CLIENT', 'LIST');
    const watchConnections = clients
      .split('\n')
      .filter((line) => line.includes('name=hft-token-store:watch'));
    // One channel (__redis__:invalidate) on one connection, whatever the number of watches.
    const subscribed = watchConnections.filter((line) => / sub=1 /.test(line));
    expect(subscribed).toHaveLength(1);
    const id = subscribed[0]?.match(/^id=(\d+) /)?.[1];
    const trackers = (await server.cli('CLIENT', 'LIST', 'TYPE', 'normal'))
      .split('\n')
      .filter((line) => line.includes(' name=hft-token-store ') && /flags=\S*t/.test(line));
    // Its command connection tracks, redirected to that subscriber.
    expect(id).toBeDefined();
    expect(trackers).toHaveLength(1);
    expect(trackers[0]).toContain(` redir=${id} `);
    for (const stop of stops) stop();
  });

  it('takes the new subscriber id after its connection is killed, and catches up with what it missed', async () => {
    const { prefix, watcher, writer, record, changes } = await watchedPair();
    await writer.set(record.accountKey, record);
    await waitForChange(changes, (c) => c.kind === 'set');
    changes.length = 0;

    // Kill the subscriber and write before it can be back (it waits at least 50 ms to
    // reconnect): Redis has nowhere to send that invalidation.
    const raw = createClient({ url: server.url() });
    raw.on('error', () => {});
    await raw.connect();
    try {
      await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await raw.set(
        `${prefix}token:${record.accountKey}`,
        storedForm(withDaily(record, { token: 'missed-while-away' })),
      );
    } finally {
      raw.destroy();
    }
    const caughtUp = await waitForChange(
      changes,
      (c) => c.record?.tokens.daily?.token === 'missed-while-away',
    );
    expect(caughtUp.kind).toBe('set');

    // And tracking points at the new connection: a normal write is heard.
    await watcher.connect();
    await writer.set(record.accountKey, withDaily(record, { token: 'after-reconnect' }));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'after-reconnect');
  });

  it('tracks only the watched keys (OPTIN), and the whole namespace only while something watches every account', async () => {
    const trackingIds = async () =>
      (await server.cli('CLIENT', 'LIST', 'TYPE', 'normal'))
        .split('\n')
        .filter((l) => l.includes(' name=hft-token-store ') && /flags=\S*t/.test(l))
        .map((l) => l.match(/^id=(\d+) /)?.[1]);
    const before = await trackingIds();
    const prefix = freshPrefix();
    const watcher = await open({ prefix });
    const record = sampleRecord();
    const changes: TokenStoreChange[] = [];
    watcher.watch(record.accountKey, (c) => changes.push(c));
    await watcher.connect();
    const watcherId = (await trackingIds()).find((id) => !before.includes(id));
    expect(watcherId).toBeDefined();
    const writer = await open({ prefix });
    // The tracking flags of the watcher's command connection (`t`: tracking, `B`: broadcast).
    const tracker = async () => {
      const line = (await server.cli('CLIENT', 'LIST', 'TYPE', 'normal'))
        .split('\n')
        .find((l) => l.startsWith(`id=${watcherId} `));
      return line?.match(/ flags=(\S+) /)?.[1] ?? '';
    };
    // Not broadcast: Redis sends this connection invalidations for the keys it read with
    // CACHING YES only, so the watcher of one account is not told of other accounts' writes.
    const perKey = await tracker();
    expect(perKey).toContain('t');
    expect(perKey).not.toContain('B');
    expect(await server.cli('INFO', 'stats')).toMatch(/tracking_total_keys:[1-9]/);
    const other = sampleRecord({ userId: `${record.userId}0` });
    await writer.set(other.accountKey, other);
    await writer.set(record.accountKey, withDaily(record, { token: 'per-key' }));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'per-key');
    // Invalidated once, re-read with CACHING YES: still tracked, still heard.
    await writer.set(record.accountKey, withDaily(record, { token: 'per-key-again' }));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'per-key-again');
    expect(changes.every((c) => c.key === record.accountKey)).toBe(true);

    const everything: TokenStoreChange[] = [];
    const stopAll = watcher.watchAll((c) => everything.push(c));
    await watcher.connect();
    expect(await tracker()).toContain('B');
    await writer.set(other.accountKey, withDaily(other, { token: 'heard-by-all' }));
    await waitForChange(everything, (c) => c.record?.tokens.daily?.token === 'heard-by-all');
    stopAll();
    await watcher.connect();
    expect(await tracker()).not.toContain('B');
    await writer.set(record.accountKey, withDaily(record, { token: 'after-watch-all' }));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'after-watch-all');
  });

  it('switches tracking on again when its command connection is killed', async () => {
    const { watcher, writer, record, changes } = await watchedPair();
    // Only the watcher's own command connection is tracking (it redirects to its subscriber).
    const tracker = (await server.cli('CLIENT', 'LIST', 'TYPE', 'normal'))
      .split('\n')
      .find((line) => line.includes(' name=hft-token-store ') && /flags=\S*t/.test(line));
    const id = tracker?.match(/^id=(\d+) /)?.[1];
    expect(id).toBeDefined();
    await server.cli('CLIENT', 'KILL', 'ID', id as string);
    await expect.poll(() => watcher.connect().then(() => true), { timeout: 3_000 }).toBe(true);
    await writer.set(record.accountKey, withDaily(record, { token: 'after-command-reconnect' }));
    await waitForChange(changes, (c) => c.record?.tokens.daily?.token === 'after-command-reconnect');
  });
});
