import { createRecordCipher, type TokenRecord, type TokenStore } from '@hft/auth-core/store';
import type { BenchContext } from '../context.js';
import { fakeAccessToken, makeRecord } from '../records.js';
import { bytesPerVariant, checkedScaleKit, type ScaleKit, type StoreOpsKit, tokenVariants } from './kit.js';

function requireRedis(ctx: BenchContext): string {
  if (!ctx.redisUrl) throw new Error(`no redis-server: ${ctx.redisUnavailable ?? 'not started'}`);
  return ctx.redisUrl;
}

async function connectedStore(options: {
  url: string;
  prefix: string;
  keyBase64?: string;
}): Promise<TokenStore> {
  const { createRedisTokenStore } = await import('@hft/storage-redis');
  const store = createRedisTokenStore({
    url: options.url,
    prefix: options.prefix,
    ...(options.keyBase64 === undefined ? {} : { cipher: createRecordCipher({ key: options.keyBase64 }) }),
  });
  await store.connect();
  return store;
}

/**
 * The Redis store beside a raw node-redis client on the same server: get = `GET` + `JSON.parse`
 * of the stored value (keyv's envelope, then the record inside it), set = `SET ... PX` of the very
 * bytes and TTL the store stored.
 */
export async function redisStoreOpsKit(
  ctx: BenchContext,
  record: TokenRecord,
  keyBase64: string,
): Promise<StoreOpsKit> {
  const url = requireRedis(ctx);
  const { createClient } = await import('@redis/client');
  const key = record.accountKey;
  const plain = await connectedStore({ url, prefix: 'bench:plain:' });
  const encrypted = await connectedStore({
    url,
    prefix: 'bench:encrypted:',
    keyBase64,
  });
  await plain.set(key, record);
  await encrypted.set(key, record);
  const client = createClient({ url });
  await client.connect();
  const storedKey = `bench:plain:token:${key}`;
  const bytes = await client.get(storedKey);
  const ttlMs = await client.pTTL(storedKey);
  if (typeof bytes !== 'string' || ttlMs <= 0)
    throw new Error(`redis: ${storedKey} is not where the store keeps it`);
  const rawKey = `bench:raw:${key}`;
  const variants = tokenVariants(record, fakeAccessToken);
  const values = bytesPerVariant(bytes, variants);
  await client.set(rawKey, values[0]!, {
    expiration: { type: 'PX', value: ttlMs },
  });
  return {
    kind: 'redis',
    plain,
    encrypted,
    variants,
    async rawGet() {
      const text = await client.get(rawKey);
      const envelope = JSON.parse(text as string) as { value: unknown };
      const inner = typeof envelope.value === 'string' ? JSON.parse(envelope.value) : envelope.value;
      return (inner as TokenRecord).tokens.daily!.token;
    },
    async rawSet(index) {
      await client.set(rawKey, values[index]!, {
        expiration: { type: 'PX', value: ttlMs },
      });
    },
    async close() {
      client.destroy();
      await plain.close();
      await encrypted.close();
    },
  };
}

/**
 * Two Redis stores on the same server, in separate databases (so the small one's database
 * really holds one account): database 1 with a single account, database 2 with `count`, all
 * written through the store.
 */
export async function redisScaleKit(ctx: BenchContext, count: number): Promise<ScaleKit> {
  const url = requireRedis(ctx);
  const first = makeRecord({ userId: 'U0' });
  const one = await connectedStore({ url: `${url}/1`, prefix: 'hft:' });
  const many = await connectedStore({ url: `${url}/2`, prefix: 'hft:' });
  await one.set(first.accountKey, first);
  await many.set(first.accountKey, first);
  const batch = 200;
  for (let start = 1; start < count; start += batch) {
    const end = Math.min(start + batch, count);
    await Promise.all(
      Array.from({ length: end - start }, (_, i) => {
        const r = makeRecord({ userId: `U${start + i}` });
        return many.set(r.accountKey, r);
      }),
    );
  }
  return checkedScaleKit(
    'redis',
    { one, many },
    first.accountKey,
    count,
    makeRecord({ userId: `U${count - 1}` }).accountKey,
  );
}
