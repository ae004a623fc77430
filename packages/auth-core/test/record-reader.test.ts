import { ErrorCodes, StorageError } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import { createRecordCipher } from '../src/crypto/record-cipher.js';
import { createMemoryTokenStore } from '../src/memory-store.js';
import { createRecordCodec } from '../src/record-codec.js';
import { READER_SUMMARIES_MAX, type RecordReader, readerFirstStore } from '../src/record-reader.js';
import type { TokenStore } from '../src/token-store.js';
import { recordFor } from './helpers.js';

/** A reader over a map of stored texts that counts its calls; `failing` makes every read throw. */
function mapReader(texts: Map<string, string>, failing = false) {
  const calls = { get: 0, list: 0, closed: 0 };
  const reader: RecordReader = {
    async get(key) {
      calls.get += 1;
      if (failing) throw new Error('reader unavailable');
      return texts.get(key);
    },
    async list() {
      calls.list += 1;
      if (failing) throw new Error('reader unavailable');
      return [...texts.keys()];
    },
    async close() {
      calls.closed += 1;
    },
  };
  return { reader, calls };
}

/** A full store opened on demand, counting how often it was opened. */
function lazyStore(store: TokenStore) {
  const opened = { count: 0 };
  return {
    open: async () => {
      opened.count += 1;
      return store;
    },
    opened,
  };
}

describe('readerFirstStore', () => {
  it('reads through the reader with the full store codec; never opens the full store for reads', async () => {
    const record = recordFor('AB1');
    const codec = createRecordCodec({ backend: 'test' });
    const { reader, calls } = mapReader(
      new Map([[record.accountKey, codec.encode(record.accountKey, record)]]),
    );
    const full = lazyStore(createMemoryTokenStore());
    const store = readerFirstStore({ name: 'test', openReader: async () => reader, openStore: full.open });
    expect(await store.get(record.accountKey)).toEqual(record);
    expect(await store.get('upstox:test-client:nobody')).toBeUndefined();
    expect(await store.list()).toEqual([record.accountKey]);
    expect(calls).toMatchObject({ get: 2, list: 1 });
    expect(full.opened.count).toBe(0);
    await store.close();
    expect(calls.closed).toBe(1);
    await expect(store.get(record.accountKey)).rejects.toThrow(StorageError);
  });

  it('decodes sealed text with the cipher; the wrong key is the full store’s error', async () => {
    const record = recordFor('AB2');
    const sealed = createRecordCodec({
      backend: 'test',
      cipher: createRecordCipher({ key: Buffer.alloc(32, 1) }),
    });
    const text = sealed.encode(record.accountKey, record);
    const right = readerFirstStore({
      name: 'test',
      cipher: createRecordCipher({ key: Buffer.alloc(32, 1) }),
      openReader: async () => mapReader(new Map([[record.accountKey, text]])).reader,
      openStore: async () => {
        throw new Error('not needed');
      },
    });
    expect(await right.get(record.accountKey)).toEqual(record);
    const fullError = new StorageError('the full store says: wrong key', {
      backend: 'test',
      code: ErrorCodes.STORAGE_WRONG_KEY,
    });
    const wrong = readerFirstStore({
      name: 'test',
      cipher: createRecordCipher({ key: Buffer.alloc(32, 2) }),
      openReader: async () => mapReader(new Map([[record.accountKey, text]])).reader,
      openStore: async () => ({
        ...createMemoryTokenStore(),
        get: async () => {
          throw fullError;
        },
      }),
    });
    await expect(wrong.get(record.accountKey)).rejects.toBe(fullError);
  });

  it('a failing or unopenable reader hands reads to the full store', async () => {
    const record = recordFor('AB3');
    const memory = createMemoryTokenStore();
    await memory.set(record.accountKey, record);
    const failing = mapReader(new Map(), true);
    const full = lazyStore(memory);
    const viaFailing = readerFirstStore({
      name: 'test',
      openReader: async () => failing.reader,
      openStore: full.open,
    });
    expect(await viaFailing.get(record.accountKey)).toEqual(record);
    expect(await viaFailing.list()).toEqual([record.accountKey]);
    expect(full.opened.count).toBe(1);
    const unopenable = readerFirstStore({
      name: 'test',
      openReader: async () => {
        throw new Error('no such table');
      },
      openStore: async () => memory,
    });
    expect(await unopenable.get(record.accountKey)).toEqual(record);
  });

  it('writes, locks and watches go to the full store, and later reads follow it', async () => {
    const record = recordFor('AB4');
    const { reader, calls } = mapReader(new Map());
    const memory = createMemoryTokenStore();
    const full = lazyStore(memory);
    const store = readerFirstStore({ name: 'test', openReader: async () => reader, openStore: full.open });
    const seen: string[] = [];
    const stop = store.watch(record.accountKey, (change) => seen.push(change.kind));
    await store.withLock(record.accountKey, 1000, () => store.set(record.accountKey, record));
    expect(await memory.get(record.accountKey)).toEqual(record);
    // The reader (which knows nothing of the write) is no longer asked.
    expect(await store.get(record.accountKey)).toEqual(record);
    expect(calls.get).toBe(0);
    expect(await store.delete(record.accountKey)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toContain('set');
    stop();
    expect(full.opened.count).toBe(1);
    await store.close();
  });

  it('summaries: the reader answers for a few accounts, the full store for a fleet', async () => {
    const codec = createRecordCodec({ backend: 'test' });
    const records = Array.from({ length: READER_SUMMARIES_MAX + 1 }, (_, i) =>
      recordFor(`F${i}`, { accountName: `acct-${i}` }),
    );
    const texts = (n: number) =>
      new Map(records.slice(0, n).map((r) => [r.accountKey, codec.encode(r.accountKey, r)]));
    const memory = createMemoryTokenStore();
    for (const r of records) await memory.set(r.accountKey, r);

    const few = lazyStore(memory);
    const small = readerFirstStore({
      name: 'test',
      openReader: async () => mapReader(texts(2)).reader,
      openStore: few.open,
    });
    expect(await small.summaries()).toEqual([
      {
        key: records[0]!.accountKey,
        name: 'acct-0',
        clientId: records[0]!.clientId,
        userId: 'F0',
        userName: records[0]!.userName,
        expiresAt: records[0]!.tokens.daily!.expiresAt,
        kinds: ['daily'],
      },
      {
        key: records[1]!.accountKey,
        name: 'acct-1',
        clientId: records[1]!.clientId,
        userId: 'F1',
        userName: records[1]!.userName,
        expiresAt: records[1]!.tokens.daily!.expiresAt,
        kinds: ['daily'],
      },
    ]);
    expect(few.opened.count).toBe(0);

    const many = lazyStore(memory);
    const fleet = readerFirstStore({
      name: 'test',
      openReader: async () => mapReader(texts(records.length)).reader,
      openStore: many.open,
    });
    const listed = await fleet.summaries();
    expect(listed.map((a) => a.name).sort()).toEqual(records.map((r) => r.accountName).sort());
    expect(many.opened.count).toBe(1);
  });
});
