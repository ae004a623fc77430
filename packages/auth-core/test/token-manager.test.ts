import { createManualClock } from '@hft/time/testing';
import { describe, expect, it } from 'vitest';
import {
  createMemoryBackend,
  createMemoryTokenStore,
  type TokenEvents,
  TokenManager,
  type TokenRecord,
} from '../src/index.js';
import { CLIENT, EXPIRY, memoryManager, onCleanup, recordFor, START, withDaily } from './helpers.js';

const HOUR = 3_600_000;
const MIN = 60_000;

describe('TokenManager: loading and the hot path', () => {
  it('reads the store once for 1,000 concurrent async getters, then serves synchronously', async () => {
    const { manager, backend } = memoryManager();
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    const before = backend.reads;
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => manager.getValidToken()));
    expect(new Set(tokens)).toEqual(new Set([record.tokens.daily!.token]));
    expect(backend.reads - before).toBe(1);
    for (let i = 0; i < 10_000; i++) manager.getAccessToken();
    expect(backend.reads - before).toBe(1);
  });

  it('says what is wrong before load, with nothing stored, and after expiry', async () => {
    const { manager, backend, clock } = memoryManager();
    expect(() => manager.getAccessToken()).toThrow(/has not loaded the store yet/);
    await manager.load();
    expect(() => manager.getAccessToken()).toThrow(
      expect.objectContaining({ code: 'HFT_AUTH_NOT_AUTHENTICATED' }),
    );
    expect(manager.isTokenValid()).toBe(false);
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    await manager.refreshIfNeeded();
    expect(manager.getAccessToken()).toBe(record.tokens.daily!.token);
    clock.set(EXPIRY - 1);
    expect(manager.isTokenValid()).toBe(true);
    clock.set(EXPIRY);
    expect(manager.isTokenValid()).toBe(false);
    expect(() => manager.getAccessToken()).toThrow(expect.objectContaining({ code: 'HFT_AUTH_EXPIRED' }));
  });

  it('treats the token as expired expirySkewMs early', async () => {
    const { manager, backend, clock } = memoryManager({ expirySkewMs: 30_000 });
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    await manager.load();
    clock.set(EXPIRY - 30_001);
    expect(manager.isTokenValid()).toBe(true);
    clock.set(EXPIRY - 30_000);
    expect(manager.isTokenValid()).toBe(false);
  });

  it('fails closed: an unreadable store is a StorageError, not "logged out"', async () => {
    const { manager, backend } = memoryManager();
    backend.failWith(new Error('disk on fire'));
    await expect(manager.getValidToken()).rejects.toMatchObject({ name: 'StorageError' });
    await expect(manager.refreshIfNeeded()).rejects.toMatchObject({ name: 'StorageError' });
  });

  it('reports token info without secrets', async () => {
    const { manager, backend, clock } = memoryManager();
    const record = recordFor('AB1234', { extendedToken: 'ext-secret' });
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    await manager.load();
    clock.set(EXPIRY - HOUR);
    const info = manager.getTokenInfo()!;
    expect(info).toMatchObject({
      userId: 'AB1234',
      remainingMs: HOUR,
      isValid: true,
      hasExtendedToken: true,
    });
    const text = JSON.stringify(info);
    expect(text).not.toContain(record.tokens.daily!.token);
    expect(text).not.toContain('ext-secret');
    expect(manager.getExtendedToken()).toBe('ext-secret');
  });
});

describe('TokenManager: expiry events with a manual clock', () => {
  it('fires each expiring lead time and expired exactly once, crossing 02:30, 03:20 and 03:30 IST', async () => {
    const { manager, backend, clock } = memoryManager();
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    const events: string[] = [];
    manager.on('expiring', (e) => events.push(`expiring:${e.leadMs / MIN}`));
    manager.on('expired', () => events.push('expired'));
    await manager.load();
    expect(events).toEqual([]);
    clock.set(Date.parse('2026-11-27T02:30:00+05:30'));
    manager.checkExpiry();
    manager.checkExpiry();
    expect(events).toEqual(['expiring:60']);
    clock.set(Date.parse('2026-11-27T03:20:00+05:30'));
    manager.checkExpiry();
    expect(events).toEqual(['expiring:60', 'expiring:10']);
    clock.set(Date.parse('2026-11-27T03:30:00+05:30'));
    manager.checkExpiry();
    manager.checkExpiry();
    expect(events).toEqual(['expiring:60', 'expiring:10', 'expired']);
  });

  it('fires the events again for the next token, and honours custom lead times', async () => {
    const { manager, backend, clock } = memoryManager({ expiringLeadTimesMs: [5 * MIN] });
    const store = createMemoryTokenStore({ backend });
    const first = recordFor();
    await store.set(first.accountKey, first);
    const events: string[] = [];
    manager.on('expiring', (e) => events.push(`expiring:${e.leadMs / MIN}`));
    manager.on('expired', () => events.push('expired'));
    await manager.load();
    clock.set(EXPIRY + MIN);
    manager.checkExpiry();
    // Jumping past the expiry reports only that it expired.
    expect(events).toEqual(['expired']);
    const next = recordFor('AB1234', { issuedAt: EXPIRY + MIN, expiresAt: EXPIRY + 24 * HOUR });
    await manager.setToken(next);
    clock.set(next.tokens.daily!.expiresAt - 4 * MIN);
    manager.checkExpiry();
    expect(events).toEqual(['expired', 'expiring:5']);
  });

  it('arms an unref()ed real timer, so a waiting process can still exit', async () => {
    const { manager, backend } = memoryManager({ clock: createManualClock(EXPIRY - 10 * MIN - 50) });
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    await manager.load();
    const expiring = new Promise<Parameters<TokenEvents['expiring']>[0]>((resolve) =>
      manager.once('expiring', resolve),
    );
    // The manual clock is 50 ms before the 10-minute mark: the timer fires in ~50 real ms and
    // finds the event due only once the clock moved.
    (manager as unknown as { clock: { set(t: number): void } }).clock.set(EXPIRY - 10 * MIN);
    const event = await expiring;
    expect(event.leadMs).toBe(10 * MIN);
  });
});

describe('TokenManager: hot rotation through the store', () => {
  it('takes a token written by another process without a restart, and emits token', async () => {
    const { manager, backend } = memoryManager();
    const other = createMemoryTokenStore({ backend });
    const first = recordFor();
    await other.set(first.accountKey, first);
    await manager.load();
    const rotated: string[] = [];
    manager.onTokenRotated((token) => rotated.push(token));
    const second = recordFor('AB1234');
    await other.set(second.accountKey, second);
    await expect.poll(() => manager.getAccessToken()).toBe(second.tokens.daily!.token);
    expect(rotated).toEqual([second.tokens.daily!.token]);
  });

  it('emits invalidated when another process deletes the token', async () => {
    const { manager, backend } = memoryManager();
    const other = createMemoryTokenStore({ backend });
    const record = recordFor();
    await other.set(record.accountKey, record);
    await manager.load();
    const reasons: string[] = [];
    manager.on('invalidated', (e) => reasons.push(e.reason));
    await other.delete(record.accountKey);
    await expect.poll(() => reasons).toEqual(['deleted']);
    expect(() => manager.getAccessToken()).toThrow(
      expect.objectContaining({ code: 'HFT_AUTH_NOT_AUTHENTICATED' }),
    );
  });

  it('does not follow the store when watch is off', async () => {
    const { manager, backend } = memoryManager({ watch: false });
    const other = createMemoryTokenStore({ backend });
    const first = recordFor();
    await other.set(first.accountKey, first);
    await manager.load();
    await other.set(first.accountKey, withDaily(first, { token: 'changed' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(manager.getAccessToken()).toBe(first.tokens.daily!.token);
  });
});

describe('TokenManager: accounts', () => {
  it('serves only its own account, by name or by key', async () => {
    const backend = createMemoryBackend();
    const store = createMemoryTokenStore({ backend });
    const alice = recordFor('ALICE1', { accountName: 'alice' });
    const bob = recordFor('BOB2', { accountName: 'bob' });
    await store.set(alice.accountKey, alice);
    await store.set(bob.accountKey, bob);
    const byName = memoryManager({ backend, account: 'bob' }).manager;
    const byKey = memoryManager({ backend, account: alice.accountKey }).manager;
    expect(await byName.getValidToken()).toBe(bob.tokens.daily!.token);
    expect(await byKey.getValidToken()).toBe(alice.tokens.daily!.token);
    await store.set(bob.accountKey, withDaily(bob, { token: 'bob-2' }));
    await expect.poll(() => byName.getAccessToken()).toBe('bob-2');
    expect(byKey.getAccessToken()).toBe(alice.tokens.daily!.token);
  });

  it('refuses to guess between several accounts', async () => {
    const { manager, backend } = memoryManager();
    const store = createMemoryTokenStore({ backend });
    for (const id of ['U1', 'U2']) {
      const r = recordFor(id);
      await store.set(r.accountKey, r);
    }
    await expect(manager.load()).rejects.toMatchObject({ code: 'HFT_AUTH_ACCOUNT_AMBIGUOUS' });
  });

  it("will not store another user's token for a bound account", async () => {
    const { manager } = memoryManager({ account: 'upstox:test-client:ALICE1' });
    await manager.load();
    await expect(manager.setToken(recordFor('MALLORY'))).rejects.toMatchObject({
      code: 'HFT_AUTH_ACCOUNT_MISMATCH',
    });
    await expect(
      manager.setToken(recordFor('ALICE1', { clientId: 'other', accountKey: 'upstox:other:ALICE1' })),
    ).rejects.toMatchObject({
      code: 'HFT_AUTH_ACCOUNT_MISMATCH',
    });
  });
});

describe('TokenManager: refreshIfNeeded and reacquire', () => {
  it('re-reads the store first: another process may have logged in', async () => {
    const { manager, backend } = memoryManager();
    await manager.load();
    expect(await manager.refreshIfNeeded()).toBe(false);
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    expect(await manager.refreshIfNeeded()).toBe(true);
  });

  it('16 managers over one store cause exactly one acquisition', async () => {
    const backend = createMemoryBackend();
    const clock = createManualClock(START);
    let acquisitions = 0;
    const reacquire = async (): Promise<TokenRecord> => {
      acquisitions += 1;
      await new Promise((r) => setTimeout(r, 30));
      return recordFor();
    };
    const managers = Array.from(
      { length: 16 },
      () => memoryManager({ backend, clock, reacquire, reacquireLockTtlMs: 5_000 }).manager,
    );
    const results = await Promise.all(managers.map((m) => m.refreshIfNeeded()));
    expect(results).toEqual(Array(16).fill(true));
    expect(acquisitions).toBe(1);
    const tokens = new Set(managers.map((m) => m.getAccessToken()));
    expect(tokens.size).toBe(1);
  });

  it('shares one flight for concurrent calls in one process, and passes the reason', async () => {
    const reasons: string[] = [];
    const { manager, backend, clock } = memoryManager({
      reacquire: async ({ reason }) => {
        reasons.push(reason);
        return recordFor('AB1234', { issuedAt: clock.now(), expiresAt: clock.now() + HOUR });
      },
    });
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    await manager.load();
    clock.set(EXPIRY + MIN);
    const results = await Promise.all([
      manager.refreshIfNeeded(),
      manager.refreshIfNeeded(),
      manager.refreshIfNeeded(),
    ]);
    expect(results).toEqual([true, true, true]);
    expect(reasons).toEqual(['expired']);
  });

  it('reports false when the hook finds nothing, and rejects an invalid record from the hook', async () => {
    const none = memoryManager({ reacquire: async () => undefined }).manager;
    expect(await none.refreshIfNeeded()).toBe(false);
    const bad = memoryManager({
      reacquire: async () => ({ accessToken: '' }) as unknown as TokenRecord,
    }).manager;
    await expect(bad.refreshIfNeeded()).rejects.toMatchObject({ code: 'HFT_INPUT_INVALID' });
  });
});

describe('TokenManager: options', () => {
  it('rejects bad options with coded errors naming them', () => {
    const store = createMemoryTokenStore();
    const base = { clientId: CLIENT, redirectUri: 'http://127.0.0.1:1/cb', store };
    expect(() => new TokenManager({ ...base, clientId: '' })).toThrow(/clientId/);
    expect(() => new TokenManager({ ...base, store: {} as never })).toThrow(/store/);
    expect(() => new TokenManager({ ...base, expiringLeadTimesMs: [-1] })).toThrow(
      /expiringLeadTimesMs\[0\]/,
    );
    expect(() => new TokenManager({ ...base, expirySkewMs: Number.NaN })).toThrow(/expirySkewMs/);
  });

  it('needs the client secret only to exchange or request', async () => {
    const manager = new TokenManager({
      clientId: CLIENT,
      redirectUri: 'http://127.0.0.1:1/cb',
      store: createMemoryTokenStore(),
    });
    onCleanup(() => manager.close());
    await expect(manager.exchangeCodeForToken('abc')).rejects.toMatchObject({ code: 'HFT_CONFIG_MISSING' });
    await expect(manager.requestToken()).rejects.toMatchObject({ code: 'HFT_CONFIG_MISSING' });
  });
});

describe('TokenManager: discovering a first account', () => {
  it('picks up the first token stored elsewhere without any call, then follows it by watch', async () => {
    const { manager, backend } = memoryManager({ discoveryIntervalMs: 10 });
    await manager.load();
    expect(manager.accountKey).toBeUndefined();
    const tokens: string[] = [];
    manager.onTokenRotated((t) => tokens.push(t));
    const other = createMemoryTokenStore({ backend });
    const first = recordFor();
    await other.set(first.accountKey, first);
    await expect.poll(() => manager.peekAccessToken()).toBe(first.tokens.daily!.token);
    expect(manager.accountKey).toBe(first.accountKey);
    const second = recordFor();
    await other.set(second.accountKey, second);
    await expect.poll(() => manager.getAccessToken()).toBe(second.tokens.daily!.token);
    expect(tokens).toEqual([first.tokens.daily!.token, second.tokens.daily!.token]);
  });

  it('waits for its named account and ignores others', async () => {
    const { manager, backend } = memoryManager({ account: 'bob', discoveryIntervalMs: 10 });
    await manager.load();
    const other = createMemoryTokenStore({ backend });
    const alice = recordFor('ALICE1', { accountName: 'alice' });
    await other.set(alice.accountKey, alice);
    await new Promise((r) => setTimeout(r, 60));
    expect(manager.peekAccessToken()).toBeUndefined();
    const bob = recordFor('BOB2', { accountName: 'bob' });
    await other.set(bob.accountKey, bob);
    await expect.poll(() => manager.peekAccessToken()).toBe(bob.tokens.daily!.token);
  });

  it('reports a store outage once while looking, and keeps looking', async () => {
    const { manager, backend } = memoryManager({ discoveryIntervalMs: 10 });
    await manager.load();
    const errors: Error[] = [];
    manager.on('error', (e) => errors.push(e));
    backend.failWith(new Error('outage'));
    await expect.poll(() => errors.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toHaveLength(1);
    backend.failWith(undefined);
    const record = recordFor();
    await createMemoryTokenStore({ backend }).set(record.accountKey, record);
    await expect.poll(() => manager.peekAccessToken()).toBe(record.tokens.daily!.token);
  });
});
