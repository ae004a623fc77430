import { join } from 'node:path';
import type { TokenStore } from '@hft/auth-core/store';
import type { BackendKind } from './backends/kit.js';
import { type BenchContext, scratchDir } from './context.js';
import { BENCH_CLIENT_ID, BENCH_REDIRECT_URI, makeRecord } from './records.js';
import { openStore, type StoreSpec } from './store-spec.js';

/** The name of the account the fleet figures ask for (`--account acct-0`). */
export const FLEET_ACCOUNT = 'acct-0';

/** A store of one backend that the CLI can be pointed at, holding `count` named accounts. */
export interface CliStore {
  readonly kind: BackendKind;
  readonly count: number;
  /** Where the store is (for a child process opening it directly). */
  readonly spec: StoreSpec;
  /** The environment of an `hft` child using this store: clean, with its own `HFT_HOME`. */
  readonly env: NodeJS.ProcessEnv;
  /** The working directory for the child. */
  readonly home: string;
  /** The stored record of {@link FLEET_ACCOUNT}. */
  readonly token: string;
}

/** Redis databases of the CLI stores (other figures use 0-2), by store size. */
const REDIS_DB = { one: 3, many: 4, startup: 5 } as const;

/** How many `set`s are in flight at once while seeding: enough to overlap I/O, not to swamp the store. */
const SEED_CONCURRENCY = 32;

/**
 * Writes `count` accounts (`acct-0` ... named, user ids `F0`...) through `store.set`, at most
 * {@link SEED_CONCURRENCY} at a time. Returns the record of `acct-0`.
 */
export async function seedAccounts(store: TokenStore, count: number) {
  const first = makeRecord({ userId: 'F0', accountName: FLEET_ACCOUNT });
  await store.set(first.accountKey, first);
  let next = 1;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const r = makeRecord({ userId: `F${i}`, accountName: `acct-${i}` });
      await store.set(r.accountKey, r);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, lane));
  return first;
}

function requireRedis(ctx: BenchContext): string {
  if (!ctx.redisUrl) throw new Error(`no redis-server: ${ctx.redisUnavailable ?? 'not started'}`);
  return ctx.redisUrl;
}

/**
 * A fresh store of `kind` with `count` accounts seeded through the store's own API, and the
 * environment that points `hft` at it (`HFT_STORAGE`, except for the file store, which is the
 * default one of the temporary `HFT_HOME`). `size` picks the Redis database (flushed first).
 * @throws Error when the backend cannot be set up (no redis-server...).
 */
export async function cliStore(
  ctx: BenchContext,
  kind: BackendKind,
  count: number,
  size: keyof typeof REDIS_DB,
): Promise<CliStore> {
  const home = scratchDir(ctx, `cli-${kind}-${size}`);
  let spec: StoreSpec;
  let storage: string | undefined;
  switch (kind) {
    case 'file':
      spec = { kind, dir: join(home, 'tokens') };
      break;
    case 'sqlite':
      spec = { kind, path: join(home, 'tokens.db') };
      storage = `sqlite:${spec.path}`;
      break;
    case 'redis': {
      const url = `${requireRedis(ctx)}/${REDIS_DB[size]}`;
      spec = { kind, url };
      storage = url;
      await flushRedisDb(url);
      break;
    }
  }
  const store = await openStore(spec);
  let token: string;
  try {
    token = (await seedAccounts(store, count)).tokens.daily!.token;
  } finally {
    await store.close();
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    HFT_HOME: home,
    UPSTOX_CLIENT_ID: BENCH_CLIENT_ID,
    // Never contacted; `hft watch` builds a TokenManager, which needs one.
    UPSTOX_REDIRECT_URI: BENCH_REDIRECT_URI,
    ...(storage === undefined ? {} : { HFT_STORAGE: storage }),
  };
  return { kind, count, spec, env, home, token };
}

async function flushRedisDb(url: string): Promise<void> {
  const { createClient } = await import('@redis/client');
  const client = createClient({ url });
  await client.connect();
  try {
    await client.flushDb();
  } finally {
    client.destroy();
  }
}
