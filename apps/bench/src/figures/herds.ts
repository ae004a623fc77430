import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryBackend, createMemoryTokenStore, TokenManager, type TokenStore } from '@hft/auth-core';
import { createFileTokenStore } from '@hft/storage-file';
import type { BackendKind } from '../backends/kit.js';
import { startWorker, type Worker } from '../child.js';
import { type BenchContext, scratchDir } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { BENCH_CLIENT_ID, BENCH_REDIRECT_URI, fakeAccessToken, makeRecord } from '../records.js';
import { type Bar, failedRow, measuredRow, type ResultRow, skipRow } from '../result-row.js';
import { openStore, type StoreSpec } from '../store-spec.js';

const ONE: Bar = { op: '==', value: 1 };
const GETTERS = 1000;
const HOOK_DELAY_MS = 200;

const getterName = (store: string) => `herds: ${GETTERS} cold getters, ${store} store reads`;
const refreshName = (kind: BackendKind, n: number) =>
  `herds: ${n} processes refreshIfNeeded, ${kind} store acquisitions`;

/** Wraps `store` so that every `get` is counted. */
function countingGets(store: TokenStore): {
  store: TokenStore;
  reads: () => number;
} {
  let reads = 0;
  return {
    store: {
      ...store,
      get(key) {
        reads += 1;
        return store.get(key);
      },
    },
    reads: () => reads,
  };
}

/** 1,000 concurrent getValidToken() on a manager that has not loaded: how many store reads. */
async function coldGetters(
  store: TokenStore,
  reads: () => number,
  key: string,
  token: string,
): Promise<number> {
  const before = reads();
  const manager = new TokenManager({
    clientId: BENCH_CLIENT_ID,
    redirectUri: BENCH_REDIRECT_URI,
    store,
    account: key,
  });
  try {
    const tokens = await Promise.all(Array.from({ length: GETTERS }, () => manager.getValidToken()));
    if (tokens.some((t) => t !== token)) throw new Error('a cold getter received another token');
    return reads() - before;
  } finally {
    await manager.close();
  }
}

function specFor(ctx: BenchContext, kind: BackendKind): StoreSpec {
  switch (kind) {
    case 'file':
      return { kind, dir: scratchDir(ctx, 'herd-file') };
    case 'sqlite':
      return { kind, path: join(scratchDir(ctx, 'herd-sqlite'), 'tokens.db') };
    case 'redis':
      if (!ctx.redisUrl) throw new Error(`no redis-server: ${ctx.redisUnavailable ?? 'not started'}`);
      return { kind, url: ctx.redisUrl, prefix: 'bench:herd:' };
  }
}

/**
 * `processes` children over one store whose token has expired, released at once to call
 * refreshIfNeeded() with a reacquire hook that takes `HOOK_DELAY_MS`: how many hook calls.
 */
async function processHerd(ctx: BenchContext, spec: StoreSpec, processes: number): Promise<number> {
  const expired = makeRecord({ expiresAt: Date.now() - 60_000 });
  const key = expired.accountKey;
  const seed = await openStore(spec);
  try {
    await seed.set(key, expired);
  } finally {
    await seed.close();
  }
  const counterFile = join(scratchDir(ctx, 'herd-counter'), 'acquisitions.log');
  const newToken = fakeAccessToken();
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      workers.push(
        startWorker('herd-refresh', {
          spec,
          key,
          userId: expired.userId,
          counterFile,
          newToken,
          hookDelayMs: HOOK_DELAY_MS,
        }),
      );
    }
    const ready = await Promise.all(workers.map((w) => w.next('ready', 60_000)));
    if (ready.some((m) => m.valid !== false)) throw new Error('a herd member started with a valid token');
    const done = workers.map((w) => w.next('done', 60_000));
    for (const w of workers) w.send({ type: 'go' });
    const results = await Promise.all(done);
    for (const r of results) {
      if (r.ok !== true || r.token !== newToken) {
        throw new Error('a herd member did not end with the reacquired token');
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
  if (!existsSync(counterFile)) return 0;
  return readFileSync(counterFile, 'utf8').split('\n').filter(Boolean).length;
}

/**
 * Figure 8, herds (counts, bar `== 1`):
 * - 1,000 concurrent `getValidToken()` calls on a cold manager cause exactly one store read
 *   (memory store: `createMemoryBackend().reads`; file store: its `get` wrapped and counted);
 * - 16 processes calling `refreshIfNeeded()` at once on an expired token, each with a
 *   `reacquire` hook, cause exactly one acquisition across all of them (the hook appends a line
 *   to a shared counter file; the store's lock must serialise them and the later ones must find
 *   the new token). Run over the file store, and over sqlite and redis when they are available.
 *   Quick mode uses 6 processes.
 */
export const herdsFigure: Figure = {
  id: 'herds',
  title: 'single flight: cold getters -> 1 read; N processes -> 1 acquisition',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    const record = makeRecord();
    const key = record.accountKey;

    const backend = createMemoryBackend();
    const memory = createMemoryTokenStore({ backend });
    await memory.set(key, record);
    const memoryReads = await coldGetters(memory, () => backend.reads, key, record.tokens.daily!.token);
    rows.push(
      measuredRow({
        name: getterName('memory'),
        median: memoryReads,
        baseline: 1,
        unit: 'reads',
        bar: ONE,
      }),
    );

    const fileStore = createFileTokenStore({
      dir: scratchDir(ctx, 'herd-getters'),
    });
    await fileStore.set(key, record);
    const counted = countingGets(fileStore);
    try {
      const fileReads = await coldGetters(counted.store, counted.reads, key, record.tokens.daily!.token);
      rows.push(
        measuredRow({
          name: getterName('file'),
          median: fileReads,
          baseline: 1,
          unit: 'reads',
          bar: ONE,
        }),
      );
    } finally {
      await fileStore.close();
    }

    const processes = ctx.quick ? 6 : 16;
    for (const kind of ['file', 'sqlite', 'redis'] as const) {
      ctx.log(`  herds: ${processes} processes over ${kind}`);
      const name = refreshName(kind, processes);
      let spec: StoreSpec;
      try {
        spec = specFor(ctx, kind);
        await (await openStore(spec)).close();
      } catch (error) {
        rows.push(skipRow(name, 'acquisitions', ONE, `${kind} store unavailable: ${errorMessage(error)}`));
        continue;
      }
      try {
        const acquisitions = await processHerd(ctx, spec, processes);
        rows.push(
          measuredRow({
            name,
            median: acquisitions,
            baseline: 1,
            unit: 'acquisitions',
            bar: ONE,
            note: `reacquire hook takes ${HOOK_DELAY_MS} ms`,
          }),
        );
      } catch (error) {
        rows.push(failedRow(name, 'acquisitions', ONE, `${kind} herd failed: ${errorMessage(error)}`));
      }
    }
    return rows;
  },
};
