import { randomBytes } from 'node:crypto';
import { fileStoreOpsKit } from '../backends/file.js';
import type { BackendKind, StoreOpsKit } from '../backends/kit.js';
import { redisStoreOpsKit } from '../backends/redis.js';
import { sqliteStoreOpsKit } from '../backends/sqlite.js';
import type { BenchContext } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { alternate, blackhole } from '../measure.js';
import { makeRecord } from '../records.js';
import { type Bar, failedRow, measuredRow, type ResultRow, skipRow } from '../result-row.js';

const PLAIN_BAR: Bar = { op: '<=', value: 1.3 };
const SEALED_BAR: Bar = { op: '<=', value: 1.6 };

const RAW_LABELS: Record<BackendKind, { get: string; set: string }> = {
  file: { get: 'readFileSync+JSON.parse', set: 'write+fsync+rename' },
  sqlite: { get: 'raw Keyv get+JSON.parse', set: 'raw Keyv set' },
  redis: { get: 'raw GET+JSON.parse', set: 'raw SET PX' },
};

function rowName(kind: BackendKind, op: 'get' | 'set', sealed: boolean): string {
  return `store-ops: ${kind} ${op}${sealed ? ' (encrypted)' : ''} / ${RAW_LABELS[kind][op]}`;
}

const KITS: Record<BackendKind, typeof fileStoreOpsKit> = {
  file: fileStoreOpsKit,
  sqlite: sqliteStoreOpsKit,
  redis: redisStoreOpsKit,
};

async function measureKit(
  ctx: BenchContext,
  kit: StoreOpsKit,
  key: string,
  token: string,
): Promise<ResultRow[]> {
  const { plain, encrypted } = kit;
  const read = async (fn: () => Promise<string | undefined>) => {
    const got = await fn();
    if (got !== token) throw new Error(`store-ops ${kit.kind}: read the wrong token`);
    blackhole(got.length);
  };
  const { variants } = kit;
  const cycle = () => {
    let i = 0;
    return () => {
      i = (i + 1) % variants.length;
      return i;
    };
  };
  const [nextStore, nextSealed, nextRaw] = [cycle(), cycle(), cycle()];
  // Slow durable writes get a longer budget so each round still holds enough samples.
  const setTimeMs = kit.kind === 'redis' ? 250 : 600;
  const gets = await alternate(
    [
      {
        name: 'store',
        async: true,
        fn: () => read(async () => (await plain.get(key))?.tokens.daily?.token),
      },
      {
        name: 'sealed',
        async: true,
        fn: () => read(async () => (await encrypted.get(key))?.tokens.daily?.token),
      },
      { name: 'raw', async: true, fn: () => read(() => kit.rawGet()) },
    ],
    ctx.quick ? { rounds: 1, timeMs: 30, warmupMs: 10 } : { rounds: 8, timeMs: 200, warmupMs: 100 },
  );
  const sets = await alternate(
    [
      {
        name: 'store',
        async: true,
        fn: () => plain.set(key, variants[nextStore()]!),
      },
      {
        name: 'sealed',
        async: true,
        fn: () => encrypted.set(key, variants[nextSealed()]!),
      },
      { name: 'raw', async: true, fn: () => kit.rawSet(nextRaw()) },
    ],
    ctx.quick ? { rounds: 1, timeMs: 40, warmupMs: 10 } : { rounds: 6, timeMs: setTimeMs, warmupMs: 100 },
  );
  const us = (ms: number) => ms * 1000;
  const rows: ResultRow[] = [];
  for (const [op, timings] of [
    ['get', gets],
    ['set', sets],
  ] as const) {
    const raw = timings.get('raw')!;
    for (const sealed of [false, true]) {
      const measured = timings.get(sealed ? 'sealed' : 'store')!;
      rows.push(
        measuredRow({
          name: rowName(kit.kind, op, sealed),
          median: us(measured.medianMs),
          baseline: us(raw.medianMs),
          unit: 'µs',
          bar: sealed ? SEALED_BAR : PLAIN_BAR,
          note: `${measured.samples} / ${raw.samples} samples`,
        }),
      );
    }
  }
  return rows;
}

function unmeasured(kind: BackendKind, make: typeof skipRow, reason: string): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const op of ['get', 'set'] as const) {
    for (const sealed of [false, true]) {
      rows.push(make(rowName(kind, op, sealed), 'µs', sealed ? SEALED_BAR : PLAIN_BAR, reason));
    }
  }
  return rows;
}

/**
 * Figure 4, store operations: median `get` and `set` of each store (file, sqlite, redis) against
 * its raw driver doing the same work on the same kind of storage (bar: at most 1.3x), and the
 * same with encryption at rest on (a record cipher with a random 32-byte key) against the same
 * raw baseline (bar: at most 1.6x). Store, encrypted store and raw driver alternate within rounds.
 * A backend that cannot be set up gives `SKIP` rows with the reason.
 */
export const storeOpsFigure: Figure = {
  id: 'store-ops',
  title: 'store get/set (plain and encrypted) vs the raw driver',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const record = makeRecord();
    const keyBase64 = randomBytes(32).toString('base64');
    const rows: ResultRow[] = [];
    for (const kind of ['file', 'sqlite', 'redis'] as const) {
      ctx.log(`  store-ops: ${kind}`);
      let kit: StoreOpsKit;
      try {
        kit = await KITS[kind](ctx, record, keyBase64);
      } catch (error) {
        rows.push(...unmeasured(kind, skipRow, `${kind} store unavailable: ${errorMessage(error)}`));
        continue;
      }
      try {
        rows.push(...(await measureKit(ctx, kit, record.accountKey, record.tokens.daily!.token)));
      } catch (error) {
        rows.push(
          ...unmeasured(kind, failedRow, `${kind} store failed while measured: ${errorMessage(error)}`),
        );
      } finally {
        await kit.close().catch(() => {});
      }
    }
    return rows;
  },
};
