import { describe, expect, it } from 'vitest';
import { createMemoryTokenStore, TokenManager } from '../src/index.js';
import { onCleanup, recordFor } from './helpers.js';

// The hot path with the system clock: a valid token is served without reading the clock; the
// expiry timer (or, when timers are late, every 128th call) ends that.
// The short lifetimes must outlast the set-up (store, manager, load) on a loaded 2-core CI
// machine, or the token is already dead at the first read and the test proves nothing.
async function systemClockManager(expiresInMs: number) {
  const store = createMemoryTokenStore();
  const now = Date.now();
  const record = recordFor('HOT1', { issuedAt: now, expiresAt: now + expiresInMs });
  await store.set(record.accountKey, record);
  const manager = new TokenManager({
    clientId: record.clientId,
    redirectUri: 'http://127.0.0.1:1/cb',
    store,
  });
  onCleanup(() => manager.close());
  await manager.load();
  return { manager, record };
}

describe('TokenManager hot path with the system clock', () => {
  it('stops serving the token when the expiry timer fires', async () => {
    const { manager, record } = await systemClockManager(1_000);
    expect(manager.getAccessToken()).toBe(record.tokens.daily!.token);
    const started = Date.now();
    while (manager.peekAccessToken() !== undefined) {
      if (Date.now() - started > 5_000) throw new Error('token still served 5 s after its expiry');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(record.tokens.daily!.expiresAt);
    expect(() => manager.getAccessToken()).toThrow(expect.objectContaining({ code: 'HFT_AUTH_EXPIRED' }));
    expect(manager.isTokenValid()).toBe(false);
  });

  it('re-reads the clock every 128th call, so a late timer cannot keep an expired token alive', async () => {
    const { manager, record } = await systemClockManager(400);
    expect(manager.getAccessToken()).toBe(record.tokens.daily!.token);
    // Block the event loop past the expiry: the timer cannot fire, as on a suspended machine.
    const until = record.tokens.daily!.expiresAt + 5;
    while (Date.now() < until) {
      /* spin */
    }
    let served = 0;
    let error: unknown;
    for (let i = 0; i < 200; i++) {
      try {
        manager.getAccessToken();
        served += 1;
      } catch (e) {
        error = e;
        break;
      }
    }
    expect(served).toBeLessThan(128);
    expect(error).toMatchObject({ code: 'HFT_AUTH_EXPIRED' });
  });

  it('drops the fast path on invalidation and on a new token', async () => {
    const { manager, record } = await systemClockManager(3_600_000);
    expect(manager.getAccessToken()).toBe(record.tokens.daily!.token);
    manager.markInvalidated(record.tokens.daily!.token);
    expect(() => manager.getAccessToken()).toThrow(expect.objectContaining({ code: 'HFT_AUTH_INVALIDATED' }));
    // Issued later than the first (newer wins), even within the same millisecond.
    const next = recordFor('HOT1', {
      issuedAt: record.tokens.daily!.issuedAt + 1,
      expiresAt: Date.now() + 3_600_000,
    });
    await manager.setToken(next);
    expect(manager.getAccessToken()).toBe(next.tokens.daily!.token);
    expect(manager.peekAccessToken()).toBe(next.tokens.daily!.token);
  });
});
