import { describe, expect, it } from 'vitest';
import { createMemoryBackend, createMemoryTokenStore, writeIfNewer } from '../src/index.js';
import { memoryManager, recordFor, START } from './helpers.js';

describe('writeIfNewer: a daily token is only replaced by one issued later', () => {
  it('writes a first record, keeps the same token, refuses an older or equally old one', async () => {
    const store = createMemoryTokenStore();
    const newer = recordFor('AB1234', { issuedAt: START + 60_000 });
    expect((await writeIfNewer(store, newer)).outcome).toBe('written');
    expect((await writeIfNewer(store, { ...newer })).outcome).toBe('same');
    const older = recordFor('AB1234', { issuedAt: START });
    const refused = await writeIfNewer(store, older);
    expect(refused).toEqual({ outcome: 'stale', stored: newer });
    const tie = recordFor('AB1234', { issuedAt: newer.tokens.daily!.issuedAt });
    expect((await writeIfNewer(store, tie)).outcome).toBe('stale');
    expect((await store.get(newer.accountKey))?.tokens.daily?.token).toBe(newer.tokens.daily!.token);
    const later = recordFor('AB1234', { issuedAt: START + 120_000 });
    expect((await writeIfNewer(store, later)).outcome).toBe('written');
    expect((await store.get(newer.accountKey))?.tokens.daily?.token).toBe(later.tokens.daily!.token);
  });

  it('decides under the lock: of 50 racing writers the latest-issued one is stored', async () => {
    const backend = createMemoryBackend();
    const writers = Array.from({ length: 50 }, (_, i) => recordFor('AB1234', { issuedAt: START + i * 1000 }));
    // Shuffled, and each through its own store instance over the one backend.
    const order = writers.map((r) => ({ r, k: Math.random() })).sort((a, b) => a.k - b.k);
    const results = await Promise.all(
      order.map(({ r }) => writeIfNewer(createMemoryTokenStore({ backend }), r)),
    );
    const stored = await createMemoryTokenStore({ backend }).get(writers[0]!.accountKey);
    expect(stored?.tokens.daily?.token).toBe(writers[49]!.tokens.daily!.token);
    // Every refused write says so, and names what stays.
    for (const result of results)
      if (result.outcome === 'stale') expect(result.stored.tokens.daily!.issuedAt).toBeGreaterThan(0);
    expect(results.filter((r) => r.outcome === 'written').length).toBeGreaterThanOrEqual(1);
  });

  it('applies merge to what is written', async () => {
    const store = createMemoryTokenStore();
    const first = recordFor('AB1234', { extendedToken: 'ext-1', accountName: 'desk' });
    await writeIfNewer(store, first);
    const next = recordFor('AB1234', { issuedAt: START + 1 });
    const { stored } = await writeIfNewer(store, next, {
      merge: (incoming, existing) => ({
        ...incoming,
        tokens: { ...incoming.tokens, extended: existing!.tokens.extended! },
      }),
    });
    expect(stored.tokens.extended?.token).toBe('ext-1');
    expect((await store.get(first.accountKey))?.tokens.extended?.token).toBe('ext-1');
  });
});

describe('TokenManager writes through writeIfNewer', () => {
  it('setToken refuses a token issued before the stored one, reports it, and keeps the newer in use', async () => {
    const { manager, backend } = memoryManager();
    const newer = recordFor('AB1234', { issuedAt: START + 60_000 });
    await createMemoryTokenStore({ backend }).set(newer.accountKey, newer);
    const replayed = recordFor('AB1234', { issuedAt: START });
    await expect(manager.setToken(replayed)).rejects.toMatchObject({ code: 'HFT_AUTH_STALE_TOKEN' });
    expect(manager.getAccessToken()).toBe(newer.tokens.daily!.token);
    const stored = await createMemoryTokenStore({ backend }).get(newer.accountKey);
    expect(stored?.tokens.daily?.token).toBe(newer.tokens.daily!.token);
  });

  it('a new login keeps the stored extended token and account name when Upstox sent none', async () => {
    const { manager, backend } = memoryManager();
    const first = recordFor('AB1234', { extendedToken: 'ext-old', accountName: 'desk' });
    await createMemoryTokenStore({ backend }).set(first.accountKey, first);
    const next = recordFor('AB1234', { issuedAt: START + 1000 });
    await manager.setToken(next);
    const stored = await createMemoryTokenStore({ backend }).get(first.accountKey);
    expect(stored).toMatchObject({
      tokens: { daily: { token: next.tokens.daily!.token }, extended: { token: 'ext-old' } },
      accountName: 'desk',
    });
    expect(manager.getExtendedToken()).toBe('ext-old');
  });
});
