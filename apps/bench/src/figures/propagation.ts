import { join } from 'node:path';
import type { TokenStore } from '@hft/auth-core/store';
import type { BackendKind } from '../backends/kit.js';
import { startWorker, type Worker, type WorkerMessage } from '../child.js';
import { type BenchContext, scratchDir } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { fakeAccessToken, makeRecord } from '../records.js';
import { failedRow, infoRow, measuredRow, type ResultRow, skipRow } from '../result-row.js';
import { quantile } from '../stats.js';
import { openStore, type StoreSpec } from '../store-spec.js';

/** The p50 bar per backend, in ms. */
const BARS_MS: Record<BackendKind, number> = {
  redis: 5,
  file: 50,
  sqlite: 250,
};
const ARRIVAL_TIMEOUT_MS = 5000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const clock = () => performance.timeOrigin + performance.now();

const p50Name = (kind: BackendKind) => `propagation: ${kind} p50 / bar ${BARS_MS[kind]} ms`;
const p99Name = (kind: BackendKind) => `propagation: ${kind} p99 (no bar)`;

function specFor(ctx: BenchContext, kind: BackendKind): StoreSpec {
  switch (kind) {
    case 'file':
      return { kind, dir: scratchDir(ctx, 'propagation-file') };
    case 'sqlite':
      return {
        kind,
        path: join(scratchDir(ctx, 'propagation-sqlite'), 'tokens.db'),
      };
    case 'redis':
      if (!ctx.redisUrl) throw new Error(`no redis-server: ${ctx.redisUnavailable ?? 'not started'}`);
      return { kind, url: ctx.redisUrl, prefix: 'bench:propagation:' };
  }
}

/** Collects the watcher's `token` messages: resolves a waiter when its token arrives. */
function arrivals(watcher: Worker) {
  const seen = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  watcher.onMessage((message: WorkerMessage) => {
    if (message.type !== 'token') return;
    const token = message.token as string;
    const at = message.at as number;
    const waiter = waiting.get(token);
    if (waiter) {
      waiting.delete(token);
      waiter(at);
    } else seen.set(token, at);
  });
  return (token: string, timeoutMs: number): Promise<number | undefined> => {
    const early = seen.get(token);
    if (early !== undefined) return Promise.resolve(early);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(token);
        resolve(undefined);
      }, timeoutMs);
      waiting.set(token, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  };
}

async function measureBackend(
  ctx: BenchContext,
  kind: BackendKind,
  writer: TokenStore,
  spec: StoreSpec,
): Promise<ResultRow[]> {
  const first = makeRecord();
  const key = first.accountKey;
  await writer.set(key, first);
  const watcher = startWorker('watcher', { spec, key });
  try {
    const ready = await watcher.next('ready', 30_000);
    if (ready.token !== first.tokens.daily!.token) throw new Error('the watcher loaded another token');
    const arrived = arrivals(watcher);
    const rotate = async (extra: Record<string, unknown>) => {
      const record = makeRecord({ accessToken: fakeAccessToken(), extra });
      const sentAt = clock();
      await writer.set(key, { ...record, extra: { ...extra, sentAt } });
      return { token: record.tokens.daily!.token, sentAt };
    };
    // Warm-up: until a rotation arrives, the watch may still be arming (first poll, subscribe).
    let warm = 0;
    for (let tries = 0; warm < 3 && tries < 20; tries++) {
      const { token } = await rotate({ warmup: tries });
      if ((await arrived(token, 2000)) !== undefined) warm++;
    }
    if (warm < 3) throw new Error('the watcher never received a rotation during warm-up');

    const rotations = ctx.quick ? 5 : 200;
    const gapMs = BARS_MS[kind];
    const latencies: number[] = [];
    let missed = 0;
    for (let seq = 0; seq < rotations; seq++) {
      // A random pause, so rotations land at every phase of a polling or debouncing watcher.
      await sleep(Math.random() * gapMs);
      const { token, sentAt } = await rotate({ seq });
      const at = await arrived(token, ARRIVAL_TIMEOUT_MS);
      if (at === undefined) missed++;
      else latencies.push(at - sentAt);
    }
    watcher.send({ type: 'stop' });
    if (latencies.length === 0) throw new Error(`none of ${rotations} rotations reached the watcher`);
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const note = `${latencies.length} rotations${missed ? `; ${missed} never arrived within ${ARRIVAL_TIMEOUT_MS} ms` : ''}`;
    const p50Row = measuredRow({
      name: p50Name(kind),
      median: p50,
      baseline: BARS_MS[kind],
      unit: 'ms',
      bar: { op: '<=', value: 1 },
      note,
    });
    return [
      missed > 0 ? { ...p50Row, status: 'FAIL' } : p50Row,
      infoRow({ name: p99Name(kind), median: p99, unit: 'ms', note }),
    ];
  } finally {
    await watcher.kill();
  }
}

/**
 * Figure 7, propagation: the time from the start of a `set` in one process until a
 * `TokenManager` watching the same account in another process has the new token, over 200
 * rotations per backend (random pauses between them so every phase of a poll or debounce is
 * sampled). Both processes stamp `performance.timeOrigin + performance.now()`; the writer also
 * puts its stamp in the record's `extra`. The p50 is compared with the bar itself (redis 5 ms,
 * file 50 ms, sqlite 250 ms; ratio = p50 / bar, must be <= 1); p99 is an extra row without a
 * bar. A rotation that never arrives makes the row FAIL.
 */
export const propagationFigure: Figure = {
  id: 'propagation',
  title: 'set in one process until a watcher in another has the token',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    for (const kind of ['redis', 'file', 'sqlite'] as const) {
      ctx.log(`  propagation: ${kind}`);
      let writer: TokenStore;
      let spec: StoreSpec;
      try {
        spec = specFor(ctx, kind);
        writer = await openStore(spec);
      } catch (error) {
        const reason = `${kind} store unavailable: ${errorMessage(error)}`;
        rows.push(skipRow(p50Name(kind), 'ms', { op: '<=', value: 1 }, reason));
        rows.push(skipRow(p99Name(kind), 'ms', null, reason));
        continue;
      }
      try {
        rows.push(...(await measureBackend(ctx, kind, writer, spec)));
      } catch (error) {
        const reason = `${kind} store failed while measured: ${errorMessage(error)}`;
        rows.push(failedRow(p50Name(kind), 'ms', { op: '<=', value: 1 }, reason));
        rows.push(failedRow(p99Name(kind), 'ms', null, reason));
      } finally {
        await writer.close().catch(() => {});
      }
    }
    return rows;
  },
};
