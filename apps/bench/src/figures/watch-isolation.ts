import { join } from 'node:path';
import type { TokenStore } from '@hft/auth-core/store';
import type { BackendKind } from '../backends/kit.js';
import { startWorker, type WorkerMessage } from '../child.js';
import { type BenchContext, scratchDir } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { fakeAccessToken, makeRecord } from '../records.js';
import { failedRow, infoRow, measuredRow, type ResultRow, skipRow } from '../result-row.js';
import { quantile } from '../stats.js';
import { openStore, type StoreSpec } from '../store-spec.js';

const OTHERS_FULL = 1000;
const OTHERS_QUICK = 50;
/** A's rotation is still delivered within propagation's p50 bars, in ms. */
const P50_BARS_MS: Record<BackendKind, number> = { redis: 5, file: 50, sqlite: 250 };
/** How long after the last of the others' writes a stray wake-up is still waited for, per backend. */
const QUIET_MS: Record<BackendKind, number> = { redis: 1000, file: 1500, sqlite: 2000 };
const ARRIVAL_TIMEOUT_MS = 5000;
const WRITE_CONCURRENCY = 16;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const clock = () => performance.timeOrigin + performance.now();

const countName = (kind: BackendKind) => `watch-isolation: ${kind} wake-ups of A's watcher / other rotations`;
const cpuName = (kind: BackendKind) =>
  `watch-isolation: ${kind} watcher CPU while the others rotate (no bar)`;
const p50Name = (kind: BackendKind) =>
  `watch-isolation: ${kind} A's rotation p50 / bar ${P50_BARS_MS[kind]} ms`;

function specFor(ctx: BenchContext, kind: BackendKind): StoreSpec {
  switch (kind) {
    case 'file':
      return { kind, dir: scratchDir(ctx, 'isolation-file') };
    case 'sqlite':
      return { kind, path: join(scratchDir(ctx, 'isolation-sqlite'), 'tokens.db') };
    case 'redis':
      if (!ctx.redisUrl) throw new Error(`no redis-server: ${ctx.redisUnavailable ?? 'not started'}`);
      return { kind, url: ctx.redisUrl, prefix: 'bench:isolation:' };
  }
}

async function writeAll(writer: TokenStore, count: number, userOf: (i: number) => string): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const r = makeRecord({ userId: userOf(next++), accessToken: fakeAccessToken() });
      await writer.set(r.accountKey, r);
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, lane));
}

async function measureBackend(
  ctx: BenchContext,
  kind: BackendKind,
  writer: TokenStore,
  spec: StoreSpec,
): Promise<ResultRow[]> {
  const others = ctx.quick ? OTHERS_QUICK : OTHERS_FULL;
  const a = makeRecord({ userId: 'A' });
  const key = a.accountKey;
  await writer.set(key, a);
  // The others exist before the watcher starts: what follows are rotations, not arrivals.
  await writeAll(writer, others, (i) => `OTHER${i}`);
  const watcher = startWorker('store-watcher', { spec, key });
  try {
    const heard: WorkerMessage[] = [];
    const waiting = new Map<string, (at: number) => void>();
    watcher.onMessage((message) => {
      if (message.type !== 'change') return;
      heard.push(message);
      const waiter = typeof message.token === 'string' ? waiting.get(message.token) : undefined;
      if (waiter) {
        waiting.delete(message.token as string);
        waiter(message.at as number);
      }
    });
    await watcher.next('ready', 30_000);
    const cpu = async () => {
      const reply = watcher.next('cpu', 10_000);
      watcher.send({ type: 'cpu' });
      return (await reply).micros as number;
    };
    // Let a polling watcher take its baseline before anything changes; the same quiet time,
    // idle, is the CPU baseline.
    await sleep(QUIET_MS[kind]);
    const idleFrom = await cpu();
    const idleStart = performance.now();
    await sleep(QUIET_MS[kind]);
    const idleMicros = (await cpu()) - idleFrom;
    const idleMs = performance.now() - idleStart;
    const before = heard.length;
    const busyFrom = await cpu();
    const busyStart = performance.now();
    await writeAll(writer, others, (i) => `OTHER${i}`);
    await sleep(QUIET_MS[kind]);
    const busyMicros = (await cpu()) - busyFrom;
    const busyMs = performance.now() - busyStart;
    const wakeUps = heard.length - before;
    const cpuRow = infoRow({
      name: cpuName(kind),
      median: busyMicros / 1000,
      // The idle rate over the same span: what the watcher spends anyway (polls, timers).
      baseline: ((idleMicros / idleMs) * busyMs) / 1000,
      unit: 'ms',
      note: `CPU of the watcher process over the ${others} rotations and the quiet time after them, against its idle rate over as long`,
    });

    const arrived = (token: string) =>
      new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(token);
          resolve(undefined);
        }, ARRIVAL_TIMEOUT_MS);
        waiting.set(token, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    const rotations = ctx.quick ? 3 : 30;
    const latencies: number[] = [];
    let missed = 0;
    for (let i = 0; i < rotations; i++) {
      await sleep(Math.random() * P50_BARS_MS[kind]);
      const record = makeRecord({ userId: 'A', accessToken: fakeAccessToken() });
      const landed = arrived(record.tokens.daily!.token);
      const sentAt = clock();
      await writer.set(key, record);
      const at = await landed;
      if (at === undefined) missed++;
      else latencies.push(at - sentAt);
    }
    watcher.send({ type: 'stop' });
    const countRow = measuredRow({
      name: countName(kind),
      median: wakeUps,
      baseline: others,
      unit: 'wake-ups',
      bar: { op: '==', value: 0 },
      note: `callbacks of a store.watch on A in another process while ${others} other accounts rotated once each`,
    });
    if (latencies.length === 0) {
      return [
        countRow,
        failedRow(p50Name(kind), 'ms', { op: '<=', value: 1 }, `none of ${rotations} rotations of A arrived`),
      ];
    }
    const p50Row = measuredRow({
      name: p50Name(kind),
      median: quantile(latencies, 0.5),
      baseline: P50_BARS_MS[kind],
      unit: 'ms',
      bar: { op: '<=', value: 1 },
      note: `${latencies.length} rotations of A${missed ? `; ${missed} never arrived within ${ARRIVAL_TIMEOUT_MS} ms` : ''}`,
    });
    return [countRow, cpuRow, missed > 0 ? { ...p50Row, status: 'FAIL' } : p50Row];
  } finally {
    await watcher.kill();
  }
}

/**
 * Watch isolation (issue 14): a process watching account A through the store's `watch` API
 * while 1,000 other accounts of the same store rotate once each from another process: how many
 * times A's callback runs (bar: 0, ratio = wake-ups per other rotation), the watcher process's
 * CPU meanwhile against its idle rate (no bar: a store may wake internally, filter, and call no
 * callback; this shows that work), and then the p50 time
 * until A's own rotations reach it (bars of the propagation figure: redis 5 ms, file 50 ms,
 * sqlite 250 ms). Quick mode: 50 others, 3 rotations of A.
 */
export const watchIsolationFigure: Figure = {
  id: 'watch-isolation',
  title: "a watcher of A while 1,000 other accounts rotate: wake-ups, and A's own rotation",
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    for (const kind of ['redis', 'file', 'sqlite'] as const) {
      ctx.log(`  watch-isolation: ${kind}`);
      let writer: TokenStore;
      let spec: StoreSpec;
      try {
        spec = specFor(ctx, kind);
        writer = await openStore(spec);
      } catch (error) {
        const reason = `${kind} store unavailable: ${errorMessage(error)}`;
        rows.push(skipRow(countName(kind), 'wake-ups', { op: '==', value: 0 }, reason));
        rows.push(skipRow(cpuName(kind), 'ms', null, reason));
        rows.push(skipRow(p50Name(kind), 'ms', { op: '<=', value: 1 }, reason));
        continue;
      }
      try {
        rows.push(...(await measureBackend(ctx, kind, writer, spec)));
      } catch (error) {
        const reason = `${kind} store failed while measured: ${errorMessage(error)}`;
        rows.push(failedRow(countName(kind), 'wake-ups', { op: '==', value: 0 }, reason));
        rows.push(failedRow(cpuName(kind), 'ms', null, reason));
        rows.push(failedRow(p50Name(kind), 'ms', { op: '<=', value: 1 }, reason));
      } finally {
        await writer.close().catch(() => {});
      }
    }
    return rows;
  },
};
