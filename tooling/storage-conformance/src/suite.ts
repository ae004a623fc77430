import type { TokenRecord, TokenStore, TokenStoreChange } from '@hft/auth-core';
import { ErrorCodes, isHftError, StorageError } from '@hft/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRecord, withDaily } from './sample-record.js';

/** One fresh, empty backend for one test, and the ways to reach and hurt it. */
export interface StoreHarness {
  /** Opens a new store instance over this backend (as another process would). */
  open(): Promise<TokenStore>;
  /** Makes the backend fail (stop the server, replace the file with garbage access...). */
  breakBackend(): Promise<void>;
  /** Undoes {@link StoreHarness.breakBackend}. */
  repairBackend(): Promise<void>;
  /** Removes the backend and everything in it. */
  teardown(): Promise<void>;
  /**
   * Writes `record` under `key` the way an older version of the store did, before it kept an
   * index of summaries (backends with such an index; the index-repair test runs only with it).
   */
  writeAsOlderVersion?(key: string, record: TokenRecord): Promise<void>;
}

/** Options of {@link runTokenStoreConformance}. */
export interface ConformanceOptions {
  /** Shown in the test names, e.g. `file` or `redis (encrypted)`. */
  name: string;
  /** Creates a fresh, empty backend; called before every test. */
  setup(): Promise<StoreHarness>;
  /** Lock lease used by the lease tests, in ms. Default 300. */
  leaseMs?: number;
  /** How long to wait for a watch notification, in ms. Default 3000. */
  watchTimeoutMs?: number;
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * The contract every {@link TokenStore} must keep, as a vitest suite. Call it once from one
 * test file of the backend's package with a harness that creates fresh backends.
 */
export function runTokenStoreConformance(options: ConformanceOptions): void {
  const leaseMs = options.leaseMs ?? 300;
  const watchTimeoutMs = options.watchTimeoutMs ?? 3000;

  describe(`TokenStore conformance: ${options.name}`, () => {
    let harness: StoreHarness;
    let store: TokenStore;
    const opened: TokenStore[] = [];
    const open = async () => {
      const s = await harness.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      harness = await options.setup();
      store = await open();
    });

    afterEach(async () => {
      await harness.repairBackend();
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      await harness.teardown();
    });

    it('has a name', () => {
      expect(typeof store.name).toBe('string');
      expect(store.name.length).toBeGreaterThan(0);
    });

    it('returns undefined for a missing key', async () => {
      expect(await store.get('upstox:nobody:NOONE')).toBeUndefined();
    });

    it('round-trips a record exactly, unknown broker fields included', async () => {
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      expect(await store.get(record.accountKey)).toEqual(record);
      const minimal = sampleRecord({ userId: 'MIN1' });
      delete minimal.tokens.extended;
      delete minimal.extra;
      delete minimal.email;
      await store.set(minimal.accountKey, minimal);
      const back = await store.get(minimal.accountKey);
      expect(back).toEqual(minimal);
      expect(back?.tokens).not.toHaveProperty('extended');
      // A credential set of every kind, and one without a daily token (a data-only account).
      const every = sampleRecord({ userId: 'ALL1' });
      every.tokens.analytics = { token: 'analytics-ALL1', issuedAt: 1, expiresAt: 2, source: 'console' };
      every.tokens.sandbox = { token: 'sandbox-ALL1', issuedAt: 3, expiresAt: 4, source: 'console' };
      await store.set(every.accountKey, every);
      expect(await store.get(every.accountKey)).toEqual(every);
      const dataOnly = sampleRecord({ userId: 'DATA1' });
      delete dataOnly.tokens.daily;
      await store.set(dataOnly.accountKey, dataOnly);
      expect(await store.get(dataOnly.accountKey)).toEqual(dataOnly);
    });

    it('replaces a record on set', async () => {
      const first = sampleRecord();
      const second = sampleRecord({
        accessToken: 'replacement-token',
        expiresAt: first.tokens.daily!.expiresAt + 86_400_000,
      });
      await store.set(first.accountKey, first);
      await store.set(first.accountKey, second);
      expect(await store.get(first.accountKey)).toEqual(second);
    });

    it('deletes, reporting whether something was removed', async () => {
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      expect(await store.delete(record.accountKey)).toBe(true);
      expect(await store.get(record.accountKey)).toBeUndefined();
      expect(await store.delete(record.accountKey)).toBe(false);
    });

    it('lists every stored key', async () => {
      expect(await store.list()).toEqual([]);
      const a = sampleRecord({ userId: 'AAA1' });
      const b = sampleRecord({ userId: 'BBB2' });
      await store.set(a.accountKey, a);
      await store.set(b.accountKey, b);
      expect((await store.list()).sort()).toEqual([a.accountKey, b.accountKey].sort());
      await store.delete(a.accountKey);
      expect(await store.list()).toEqual([b.accountKey]);
    });

    it('keeps accounts isolated', async () => {
      const a = sampleRecord({ userId: 'AAA1' });
      const b = sampleRecord({ userId: 'BBB2' });
      const c = sampleRecord({ userId: 'AAA1', clientId: 'other-client' });
      await store.set(a.accountKey, a);
      await store.set(b.accountKey, b);
      await store.set(c.accountKey, c);
      expect((await store.get(a.accountKey))?.tokens.daily?.token).toBe(a.tokens.daily!.token);
      expect((await store.get(b.accountKey))?.tokens.daily?.token).toBe(b.tokens.daily!.token);
      expect((await store.get(c.accountKey))?.tokens.daily?.token).toBe(c.tokens.daily!.token);
      await store.delete(a.accountKey);
      expect(await store.get(b.accountKey)).toEqual(b);
      expect(await store.get(c.accountKey)).toEqual(c);
    });

    it('rejects an invalid record and writes nothing', async () => {
      const bad = withDaily(sampleRecord(), { token: '' });
      await expect(store.set(bad.accountKey, bad)).rejects.toMatchObject({ code: ErrorCodes.INPUT_INVALID });
      const flat = { ...sampleRecord(), accessToken: 'old-shape' };
      await expect(store.set(flat.accountKey, flat)).rejects.toMatchObject({
        code: ErrorCodes.INPUT_INVALID,
      });
      const empty = { ...sampleRecord(), tokens: {} };
      await expect(store.set(empty.accountKey, empty)).rejects.toMatchObject({
        code: ErrorCodes.INPUT_INVALID,
      });
      const noUser = { ...sampleRecord() } as Record<string, unknown>;
      delete noUser.userId;
      await expect(store.set('upstox:x:y', noUser as never)).rejects.toMatchObject({
        code: ErrorCodes.INPUT_INVALID,
      });
      expect(await store.list()).toEqual([]);
    });

    it('never shares objects with the caller', async () => {
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      record.tokens.daily!.token = 'mutated-after-set';
      const back = await store.get(record.accountKey);
      expect(back?.tokens.daily?.token).not.toBe('mutated-after-set');
      back!.exchanges.push('MUTATED');
      expect((await store.get(record.accountKey))?.exchanges).not.toContain('MUTATED');
    });

    it('shows one instance the writes of another over the same backend', async () => {
      const other = await open();
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      expect(await other.get(record.accountKey)).toEqual(record);
      await other.delete(record.accountKey);
      expect(await store.get(record.accountKey)).toBeUndefined();
    });

    it('serialises concurrent withLock callers across instances', async () => {
      const other = await open();
      const key = 'upstox:lock-client:LOCK1';
      let inside = 0;
      let maxInside = 0;
      const order: number[] = [];
      const work = (id: number) => async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 15));
        order.push(id);
        inside -= 1;
        return id;
      };
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((id) =>
          (id % 2 === 0 ? store : other).withLock(key, 5_000, work(id), { waitMs: 10_000 }),
        ),
      );
      expect(results).toEqual([0, 1, 2, 3, 4, 5]);
      expect(maxInside).toBe(1);
      expect(order).toHaveLength(6);
    });

    it('does not block callers of different keys', async () => {
      const gate = deferred();
      const holding = store.withLock('upstox:c:KEY1', 5_000, () => gate.promise);
      const other = await store.withLock('upstox:c:KEY2', 5_000, async () => 'ran', { waitMs: 2_000 });
      expect(other).toBe('ran');
      gate.resolve();
      await holding;
    });

    it('passes the error of fn through and releases the lock', async () => {
      const key = 'upstox:c:ERR1';
      const boom = new Error('fn failed');
      await expect(store.withLock(key, 5_000, async () => Promise.reject(boom))).rejects.toBe(boom);
      const started = Date.now();
      expect(await store.withLock(key, 5_000, async () => 'next', { waitMs: 1_000 })).toBe('next');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('frees a crashed holder after its lease', async () => {
      const other = await open();
      const key = 'upstox:c:CRASH1';
      const crashed = deferred();
      const entered = deferred();
      // The "crashed" holder never finishes within its lease.
      const holder = store.withLock(key, leaseMs, async () => {
        entered.resolve();
        await crashed.promise;
      });
      await entered.promise;
      const started = Date.now();
      const taken = await other.withLock(key, leaseMs, async () => 'taken over', { waitMs: leaseMs * 20 });
      expect(taken).toBe('taken over');
      expect(Date.now() - started).toBeGreaterThanOrEqual(leaseMs * 0.5);
      crashed.resolve();
      await holder;
    });

    it('times out with HFT_STORAGE_LOCK_TIMEOUT while another holds the lock', async () => {
      const key = 'upstox:c:BUSY1';
      const gate = deferred();
      const entered = deferred();
      const holder = store.withLock(key, 10_000, async () => {
        entered.resolve();
        await gate.promise;
      });
      await entered.promise;
      const err = await store
        .withLock(key, 10_000, async () => 'never', { waitMs: 100 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe(ErrorCodes.STORAGE_LOCK_TIMEOUT);
      gate.resolve();
      await holder;
    });

    it('notifies a watcher of changes made through another instance', async () => {
      const writer = await open();
      const record = sampleRecord();
      const changes: TokenStoreChange[] = [];
      const stop = store.watch(record.accountKey, (c) => changes.push(c));
      const unrelated: TokenStoreChange[] = [];
      const stopUnrelated = store.watch('upstox:other:UNRELATED', (c) => unrelated.push(c));
      await writer.set(record.accountKey, record);
      await waitFor(() => changes.some((c) => c.kind === 'set'), watchTimeoutMs, 'the set notification');
      const seen = changes.find((c) => c.kind === 'set')!;
      expect(seen.key).toBe(record.accountKey);
      const fresh = seen.record ?? (await store.get(record.accountKey));
      expect(fresh?.tokens.daily?.token).toBe(record.tokens.daily!.token);
      await writer.delete(record.accountKey);
      await waitFor(
        () => changes.some((c) => c.kind === 'delete'),
        watchTimeoutMs,
        'the delete notification',
      );
      expect(unrelated).toEqual([]);
      stop();
      stopUnrelated();
      const before = changes.length;
      await writer.set(record.accountKey, withDaily(record, { token: 'after-unsubscribe' }));
      await new Promise((r) => setTimeout(r, Math.min(watchTimeoutMs, 500)));
      expect(changes.length).toBe(before);
    });

    it('fails closed: a broken backend gives StorageError, never "no token"', async () => {
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      await harness.breakBackend();
      for (const attempt of [
        () => store.get(record.accountKey),
        () => store.set(record.accountKey, record),
        () => store.list(),
        () => store.delete(record.accountKey),
      ]) {
        const err = await attempt().then(
          (v) => ({ resolved: v }),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect(isHftError(err)).toBe(true);
        expect((err as StorageError).name).toBe('StorageError');
        expect((err as StorageError).message).toContain(store.name);
      }
      await harness.repairBackend();
      expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe(record.tokens.daily!.token);
    });

    describe('account summaries and watching many accounts', () => {
      const secretsOf = (r: TokenRecord) =>
        [r.tokens.daily!.token, r.tokens.extended?.token].filter((t) => t !== undefined);

      it('lists a summary of every account, without secrets, following sets and deletes', async () => {
        expect(await store.summaries()).toEqual([]);
        const a = sampleRecord({ userId: 'AAA1', accountName: 'alpha' });
        const b = sampleRecord({ userId: 'BBB2' });
        await store.set(a.accountKey, a);
        await store.set(b.accountKey, b);
        const listed = (await (await open()).summaries()).sort((x, y) => x.key.localeCompare(y.key));
        expect(listed).toEqual([
          {
            key: a.accountKey,
            name: 'alpha',
            clientId: a.clientId,
            userId: 'AAA1',
            userName: a.userName,
            expiresAt: a.tokens.daily!.expiresAt,
            kinds: ['daily', 'extended'],
          },
          {
            key: b.accountKey,
            clientId: b.clientId,
            userId: 'BBB2',
            userName: b.userName,
            expiresAt: b.tokens.daily!.expiresAt,
            kinds: ['daily', 'extended'],
          },
        ]);
        const text = JSON.stringify(listed);
        for (const secret of [...secretsOf(a), ...secretsOf(b)]) expect(text).not.toContain(secret);
        // A rename and a new expiry show at once, through another instance too.
        await store.set(
          a.accountKey,
          withDaily({ ...a, accountName: 'renamed' }, { expiresAt: a.tokens.daily!.expiresAt + 1000 }),
        );
        await store.delete(b.accountKey);
        const after = await (await open()).summaries();
        expect(after).toHaveLength(1);
        expect(after[0]).toMatchObject({
          key: a.accountKey,
          name: 'renamed',
          expiresAt: a.tokens.daily!.expiresAt + 1000,
        });
      });

      it('lists accounts written by an older version of the store, and repairs their entries', async (context) => {
        if (!harness.writeAsOlderVersion) return context.skip();
        const fresh = sampleRecord({ userId: 'NEW1', accountName: 'fresh' });
        const old = sampleRecord({ userId: 'OLD1', accountName: 'legacy' });
        await store.set(fresh.accountKey, fresh);
        await harness.writeAsOlderVersion(old.accountKey, old);
        const names = async (s: TokenStore) =>
          (await s.summaries()).map((x) => `${x.key}=${x.name ?? ''}`).sort();
        const expected = [`${fresh.accountKey}=fresh`, `${old.accountKey}=legacy`].sort();
        expect(await names(store)).toEqual(expected);
        // Listed again (the repaired entry now), by this instance and another one.
        expect(await names(store)).toEqual(expected);
        expect(await names(await open())).toEqual(expected);
        // An older version renaming an account that has an entry: the new name wins.
        await harness.writeAsOlderVersion(fresh.accountKey, { ...fresh, accountName: 'renamed-by-old' });
        expect(await names(await open())).toEqual(
          [`${fresh.accountKey}=renamed-by-old`, `${old.accountKey}=legacy`].sort(),
        );
        // And deletes by the current version remove repaired entries too.
        await store.delete(old.accountKey);
        expect(await names(store)).toEqual([`${fresh.accountKey}=renamed-by-old`]);
      });

      it('accountNamed, where a store has it, finds an account by name with its record, never a stale one', async (context) => {
        if (!store.accountNamed) return context.skip();
        const a = sampleRecord({ userId: 'N1', accountName: 'alpha' });
        const b = sampleRecord({ userId: 'N2', accountName: 'beta' });
        await store.set(a.accountKey, a);
        await store.set(b.accountKey, b);
        const other = await open();
        const named = (name: string) => other.accountNamed!(name);
        expect(await named('alpha')).toEqual({ key: a.accountKey, record: a });
        expect((await named('beta'))?.key).toBe(b.accountKey);
        expect(await named('nobody')).toBeUndefined();
        await store.set(a.accountKey, { ...a, accountName: 'renamed' });
        expect(await named('alpha')).toBeUndefined();
        expect((await named('renamed'))?.record.accountName).toBe('renamed');
        await store.delete(b.accountKey);
        expect(await named('beta')).toBeUndefined();
      });

      it('watchAll hears every account of the store, accounts stored later included', async () => {
        const writer = await open();
        const heard: TokenStoreChange[] = [];
        const stop = store.watchAll((c) => heard.push(c));
        const a = sampleRecord({ userId: 'WA1' });
        const b = sampleRecord({ userId: 'WB2' });
        await writer.set(a.accountKey, a);
        await writer.set(b.accountKey, b);
        const keysHeard = () => new Set(heard.filter((c) => c.kind === 'set').map((c) => c.key));
        await waitFor(() => keysHeard().size === 2, watchTimeoutMs, 'both accounts');
        expect([...keysHeard()].sort()).toEqual([a.accountKey, b.accountKey].sort());
        await writer.delete(a.accountKey);
        await waitFor(
          () => heard.some((c) => c.kind === 'delete' && c.key === a.accountKey),
          watchTimeoutMs,
          'the delete',
        );
        stop();
      });

      it('does not wake the watcher of one account for changes of 50 others', async () => {
        const writer = await open();
        const watchedRecord = sampleRecord({ userId: 'W1' });
        await writer.set(watchedRecord.accountKey, watchedRecord);
        // Keys that share the watched key as a prefix are the hard case for prefix-based tracking.
        const others = Array.from({ length: 50 }, (_, i) => sampleRecord({ userId: `W1${i}` }));
        const sentinel = sampleRecord({ userId: 'ZZ9' });
        const calls: TokenStoreChange[] = [];
        const sentinelCalls: TokenStoreChange[] = [];
        const stop = store.watch(watchedRecord.accountKey, (c) => calls.push(c));
        const stopSentinel = store.watch(sentinel.accountKey, (c) => sentinelCalls.push(c));
        // A sentinel account written after the others: once its watcher heard it, the writes
        // before it have been seen too. A first round drains what the initial write may still send.
        const sentinelRound = async (round: number) => {
          const before = sentinelCalls.length;
          await writer.set(sentinel.accountKey, withDaily(sentinel, { token: `sentinel-${round}` }));
          await waitFor(() => sentinelCalls.length > before, watchTimeoutMs, 'the sentinel');
        };
        await sentinelRound(0);
        calls.length = 0;
        for (const round of [1, 2]) {
          for (const r of others)
            await writer.set(r.accountKey, withDaily(r, { token: `${r.tokens.daily!.token}-${round}` }));
        }
        await sentinelRound(1);
        expect(calls).toHaveLength(0);
        await writer.set(watchedRecord.accountKey, withDaily(watchedRecord, { token: 'rotated' }));
        await waitFor(() => calls.length > 0, watchTimeoutMs, 'the rotation of the watched account');
        expect(calls.every((c) => c.key === watchedRecord.accountKey)).toBe(true);
        const fresh = calls[0]!.record ?? (await store.get(watchedRecord.accountKey));
        expect(fresh?.tokens.daily?.token).toBe('rotated');
        stop();
        stopSentinel();
      });
    });

    it('refuses use after close with StorageError', async () => {
      const s = await open();
      await s.close();
      await expect(s.get('upstox:c:U1')).rejects.toBeInstanceOf(StorageError);
    });
  });
}
