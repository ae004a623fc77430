import { join } from 'node:path';
import { createRecordCipher, type TokenRecord } from '@hft/auth-core/store';
import { type BenchContext, scratchDir } from '../context.js';
import { fakeAccessToken, makeRecord } from '../records.js';
import { checkedScaleKit, type ScaleKit, type StoreOpsKit, tokenVariants } from './kit.js';

/** What the benchmarks use of `@hft/storage-sqlite`, `@keyv/sqlite` and `keyv`, loaded on demand. */
async function loadSqlite() {
  const [{ createSqliteTokenStore, DEFAULT_TABLE }, { default: KeyvSqlite }, { default: Keyv }] =
    await Promise.all([import('@hft/storage-sqlite'), import('@keyv/sqlite'), import('keyv')]);
  /** A raw Keyv over `@keyv/sqlite` on the store's own file and table, configured like the store's. */
  const rawKeyv = (path: string) => {
    const adapter = new KeyvSqlite({
      uri: path,
      table: DEFAULT_TABLE,
      busyTimeout: 5000,
    });
    const keyv = new Keyv({
      store: adapter,
      namespace: undefined,
      useKeyPrefix: false,
    });
    keyv.throwOnErrors = true;
    return { adapter, keyv };
  };
  return { createSqliteTokenStore, rawKeyv };
}

/**
 * The SQLite store beside a raw `Keyv` over `@keyv/sqlite` on the same database file (so the same
 * WAL journal and busy timeout) and table, under another key: get = `keyv.get` + `JSON.parse`,
 * set = `keyv.set` of the same JSON text the store stores.
 */
export async function sqliteStoreOpsKit(
  ctx: BenchContext,
  record: TokenRecord,
  keyBase64: string,
): Promise<StoreOpsKit> {
  const { createSqliteTokenStore, rawKeyv } = await loadSqlite();
  const key = record.accountKey;
  const dir = scratchDir(ctx, 'sqlite');
  const plainPath = join(dir, 'plain.db');
  const plain = createSqliteTokenStore({ path: plainPath });
  const encrypted = createSqliteTokenStore({
    path: join(dir, 'encrypted.db'),
    cipher: createRecordCipher({ key: keyBase64 }),
  });
  await plain.set(key, record);
  await encrypted.set(key, record);
  const { keyv } = rawKeyv(plainPath);
  const rawKey = `raw:${key}`;
  const variants = tokenVariants(record, fakeAccessToken);
  // Exactly the text the store's record codec stores (plain JSON of the record).
  const texts = variants.map((v) => JSON.stringify(v));
  await keyv.set(rawKey, texts[0]!);
  return {
    kind: 'sqlite',
    plain,
    encrypted,
    variants,
    async rawGet() {
      const value = (await keyv.get(rawKey)) as string;
      return (JSON.parse(value) as TokenRecord).tokens.daily!.token;
    },
    async rawSet(index) {
      await keyv.set(rawKey, texts[index]!);
    },
    async close() {
      await keyv.disconnect();
      await plain.close();
      await encrypted.close();
    },
  };
}

/**
 * Two SQLite stores: one with a single account, one with `count`. The store writes the first
 * account of each; the other `count - 1` rows go in through a raw Keyv configured like the
 * store's (same table, same value encoding) inside one transaction, since `count` separate
 * commits would each wait for an fsync.
 */
export async function sqliteScaleKit(ctx: BenchContext, count: number): Promise<ScaleKit> {
  const { createSqliteTokenStore, rawKeyv } = await loadSqlite();
  const dir = scratchDir(ctx, 'sqlite-scale');
  const first = makeRecord({ userId: 'U0' });
  const one = createSqliteTokenStore({ path: join(dir, 'one.db') });
  const manyPath = join(dir, 'many.db');
  const many = createSqliteTokenStore({ path: manyPath });
  await one.set(first.accountKey, first);
  await many.set(first.accountKey, first);
  const { adapter, keyv } = rawKeyv(manyPath);
  const others = Array.from({ length: count - 1 }, (_, i) => makeRecord({ userId: `U${i + 1}` }));
  await adapter.query('BEGIN IMMEDIATE');
  await Promise.all(others.map((r) => keyv.set(r.accountKey, JSON.stringify(r))));
  await adapter.query('COMMIT');
  await keyv.disconnect();
  return checkedScaleKit(
    'sqlite',
    { one, many },
    first.accountKey,
    count,
    others.at(-1)?.accountKey ?? first.accountKey,
  );
}
