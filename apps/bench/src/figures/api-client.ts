import { startWorker, type Worker } from '../child.js';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { infoRow, measuredRow, type ResultRow } from '../result-row.js';
import { median } from '../stats.js';

type Side = 'client' | 'bare' | 'twin';

/** One round of `count` requests on `worker`: its CPU time per request, in µs. */
async function round(worker: Worker, count: number): Promise<number> {
  const answer = worker.next('round', 120_000);
  worker.send({ type: 'round', count });
  const { cpuUs } = await answer;
  if (typeof cpuUs !== 'number' || !Number.isFinite(cpuUs)) throw new Error('api-client: no CPU figure');
  return cpuUs;
}

/**
 * Figure 3, API client cost: CPU time per request through `createUpstoxClient` (bearer from
 * the hot path, headers, the limiter on all three windows with limits far above the load) against
 * a bare axios instance sending the same headers, both answered by the same canned-response
 * adapter (no network: a loopback server's scheduling noise hid a 3% bar). Each side runs alone
 * in its own process (`workers/api-client-side.ts`): in one process the sides share axios's
 * compiled code and garbage collector, so each side's rounds paid for the other's (see the
 * README). Sequential requests, CPU from `process.cpuUsage()` in that process, rounds alternating
 * between the processes in a rotated order, medians of the rounds' per-request figures. Bar: the
 * client costs at most 5% more. An A/A row (bare axios against a second, identical bare axios in
 * a third process) shows what this machine can resolve.
 */
export const apiClientFigure: Figure = {
  id: 'api-client',
  title: 'createUpstoxClient vs bare axios, CPU per request through a canned-response adapter',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const names: Side[] = ['client', 'bare', 'twin'];
    const workers = Object.fromEntries(
      names.map((side) => [side, startWorker('api-client-side', { side: side === 'twin' ? 'bare' : side })]),
    ) as Record<Side, Worker>;
    try {
      await Promise.all(names.map((side) => workers[side].next('ready')));
      const perRound = ctx.quick ? 200 : 2000;
      const rounds = ctx.quick ? 3 : 40;
      for (const side of names) await round(workers[side], perRound * 2);
      const cpu: Record<Side, number[]> = { client: [], bare: [], twin: [] };
      for (let r = 0; r < rounds; r++) {
        const shift = r % names.length;
        for (const side of [...names.slice(shift), ...names.slice(0, shift)]) {
          cpu[side].push(await round(workers[side], perRound));
        }
      }
      const note = `median of ${rounds} rotated rounds of ${perRound} sequential requests each, one process per side`;
      return [
        measuredRow({
          name: 'api-client: createUpstoxClient CPU per request / bare axios',
          median: median(cpu.client),
          baseline: median(cpu.bare),
          unit: 'µs',
          bar: { op: '<=', value: 1.05 },
          note,
        }),
        infoRow({
          name: 'api-client: A/A, bare axios / the same bare axios (resolution, no bar)',
          median: median(cpu.twin),
          baseline: median(cpu.bare),
          unit: 'µs',
          note,
        }),
      ];
    } finally {
      for (const side of names) workers[side].send({ type: 'stop' });
      await Promise.all(names.map((side) => workers[side].kill()));
    }
  },
};
