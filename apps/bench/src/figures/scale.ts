import { fileScaleKit } from '../backends/file.js';
import type { BackendKind, ScaleKit } from '../backends/kit.js';
import { redisScaleKit } from '../backends/redis.js';
import { sqliteScaleKit } from '../backends/sqlite.js';
import type { BenchContext } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { alternate, blackhole } from '../measure.js';
import { type Bar, failedRow, measuredRow, type ResultRow, skipRow } from '../result-row.js';

const BAR: Bar = { op: '<=', value: 1.5 };
const FULL_COUNT = 10_000;
const QUICK_COUNT = 300;

const KITS: Record<BackendKind, (ctx: BenchContext, count: number) => Promise<ScaleKit>> = {
  file: fileScaleKit,
  sqlite: sqliteScaleKit,
  redis: redisScaleKit,
};

const rowName = (kind: BackendKind) => `scale: ${kind} get, 10k accounts / 1 account`;

async function measure(ctx: BenchContext, kit: ScaleKit): Promise<ResultRow> {
  const expected = (await kit.one.get(kit.key))?.accountKey;
  if (expected !== kit.key) throw new Error('the single-account store lost its record');
  const read = (store: ScaleKit['one']) => async () => {
    const record = await store.get(kit.key);
    if (record?.accountKey !== kit.key) throw new Error(`scale ${kit.kind}: read the wrong record`);
    blackhole(record.tokens.daily!.token.length);
  };
  const timings = await alternate(
    [
      { name: 'many', async: true, fn: read(kit.many) },
      { name: 'one', async: true, fn: read(kit.one) },
    ],
    ctx.quick ? { rounds: 1, timeMs: 30, warmupMs: 10 } : { rounds: 8, timeMs: 200, warmupMs: 100 },
  );
  const many = timings.get('many')!;
  const one = timings.get('one')!;
  return measuredRow({
    name: rowName(kit.kind),
    median: many.medianMs * 1000,
    baseline: one.medianMs * 1000,
    unit: 'µs',
    bar: BAR,
    note: `${kit.count} accounts; ${many.samples} / ${one.samples} samples`,
  });
}

/**
 * Figure 5, scale: the median `get` of one account from a store holding 10,000 accounts against
 * the same `get` from a store of the same backend holding only that account (bar: at most
 * 1.5x), per backend. Quick mode uses 300 accounts.
 */
export const scaleFigure: Figure = {
  id: 'scale',
  title: 'get with 10,000 accounts stored vs with 1',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const count = ctx.quick ? QUICK_COUNT : FULL_COUNT;
    const rows: ResultRow[] = [];
    for (const kind of ['file', 'sqlite', 'redis'] as const) {
      ctx.log(`  scale: ${kind} (${count} accounts)`);
      let kit: ScaleKit;
      try {
        kit = await KITS[kind](ctx, count);
      } catch (error) {
        rows.push(skipRow(rowName(kind), 'µs', BAR, `${kind} store unavailable: ${errorMessage(error)}`));
        continue;
      }
      try {
        rows.push(await measure(ctx, kit));
      } catch (error) {
        rows.push(
          failedRow(rowName(kind), 'µs', BAR, `${kind} store failed while measured: ${errorMessage(error)}`),
        );
      } finally {
        await kit.close().catch(() => {});
      }
    }
    return rows;
  },
};
