import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { loadedManager } from '../loaded-manager.js';
import { alternate, blackhole } from '../measure.js';
import { measuredRow, type ResultRow } from '../result-row.js';

const INNER = 1000;

/**
 * Figure 2, the warm async path: `await manager.getValidToken()` on a loaded manager against
 * `await Promise.resolve(token)`, the cheapest possible awaited value (bar: at most 3x).
 */
export const warmAsyncFigure: Figure = {
  id: 'warm-async',
  title: 'await getValidToken() on a loaded manager vs await Promise.resolve(token)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const { manager, record } = await loadedManager();
    if ((await manager.getValidToken()) !== record.tokens.daily!.token) {
      throw new Error('warm-async: getValidToken() does not return the stored token');
    }
    const token = record.tokens.daily!.token;
    const timings = await alternate(
      [
        {
          name: 'getValidToken',
          async: true,
          opsPerCall: INNER,
          fn: async () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += (await manager.getValidToken()).length;
            blackhole(acc);
          },
        },
        {
          name: 'promise',
          async: true,
          opsPerCall: INNER,
          fn: async () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += (await Promise.resolve(token)).length;
            blackhole(acc);
          },
        },
      ],
      ctx.quick ? { rounds: 2, timeMs: 20, warmupMs: 10 } : { rounds: 6, timeMs: 250, warmupMs: 100 },
    );
    await manager.close();
    const measured = timings.get('getValidToken')!;
    return [
      measuredRow({
        name: 'warm-async: getValidToken() / Promise.resolve(token)',
        median: measured.medianMs * 1e6,
        baseline: timings.get('promise')!.medianMs * 1e6,
        unit: 'ns',
        bar: { op: '<=', value: 3 },
        note: `${measured.samples} samples of ${INNER} awaited calls`,
      }),
    ];
  },
};
