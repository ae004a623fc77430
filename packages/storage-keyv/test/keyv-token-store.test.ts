import { sampleRecord } from '@hft/storage-conformance';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { keyvTokenStore } from '../src/index.js';

describe('keyvTokenStore specifics', () => {
  it('turns keyv throwOnErrors on, so store errors are never "no token"', () => {
    const keyv = new Keyv();
    expect(keyv.throwOnErrors).toBe(false);
    keyvTokenStore(keyv);
    expect(keyv.throwOnErrors).toBe(true);
  });

  it('polls for writes made through another Keyv object over the same data (another process)', async () => {
    const shared = new Map();
    const a = keyvTokenStore(new Keyv({ store: shared, namespace: 'hft-tokens' }), { pollIntervalMs: 20 });
    const b = keyvTokenStore(new Keyv({ store: shared, namespace: 'hft-tokens' }), { pollIntervalMs: 20 });
    const record = sampleRecord();
    const kinds: string[] = [];
    const stop = a.watch(record.accountKey, (c) => kinds.push(c.kind));
    await new Promise((r) => setTimeout(r, 50));
    await b.set(record.accountKey, record);
    await expect.poll(() => kinds, { timeout: 2000 }).toContain('set');
    await b.delete(record.accountKey);
    await expect.poll(() => kinds, { timeout: 2000 }).toContain('delete');
    stop();
    await a.close();
    await b.close();
  });

  it('reports a value that is not a record as HFT_STORAGE_CORRUPT', async () => {
    const keyv = new Keyv({ namespace: 'hft-tokens' });
    const store = keyvTokenStore(keyv, { name: 'custom' });
    await keyv.set('upstox:c:U1', { not: 'a string' });
    await expect(store.get('upstox:c:U1')).rejects.toMatchObject({ code: 'HFT_STORAGE_CORRUPT' });
    await keyv.set('upstox:c:U2', '{"half":');
    await expect(store.get('upstox:c:U2')).rejects.toThrow(
      /custom store: the record for upstox:c:U2 is unreadable/,
    );
  });

  it('applies the ttl option per record', async () => {
    const keyv = new Keyv({ namespace: 'hft-tokens' });
    const seen: Array<number | undefined> = [];
    const original = keyv.set.bind(keyv);
    keyv.set = (async (key: string, value: unknown, ttl?: number) => {
      seen.push(ttl);
      return original(key, value, ttl);
    }) as typeof keyv.set;
    const store = keyvTokenStore(keyv, {
      ttlMs: (r) => r.tokens.daily!.expiresAt - r.tokens.daily!.issuedAt,
    });
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    expect(seen).toEqual([record.tokens.daily!.expiresAt - record.tokens.daily!.issuedAt]);
  });
});

describe('keyvTokenStore close and lock after close', () => {
  it('runs onClose even when disconnect fails, then reports the failure', async () => {
    const keyv = new Keyv();
    keyv.disconnect = async () => {
      throw new Error('disconnect broke');
    };
    let cleaned = false;
    const store = keyvTokenStore(keyv, {
      onClose: async () => {
        cleaned = true;
      },
    });
    await expect(store.close()).rejects.toThrow(/disconnect broke/);
    expect(cleaned).toBe(true);
  });

  it('rejects (never throws synchronously) withLock after close', async () => {
    const store = keyvTokenStore(new Keyv());
    await store.close();
    const attempt = store.withLock('upstox:c:U1', 100, async () => 1);
    await expect(attempt).rejects.toMatchObject({ name: 'StorageError' });
  });
});
