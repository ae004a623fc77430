import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendKind } from '../backends/kit.js';
import { runNode, type TimedRun } from '../cli-run.js';
import type { BenchContext } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { type CliStore, cliStore, FLEET_ACCOUNT } from '../fleet-kit.js';
import { hftBinPath } from '../package-paths.js';
import {
  type Bar,
  failedRow,
  infoRow,
  measuredRow,
  pendingRow,
  type ResultRow,
  skipRow,
} from '../result-row.js';
import { median } from '../stats.js';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const FULL_COUNT = 10_000;
const QUICK_COUNT = 300;
/** Idle `hft watch --all`: at most 0.6 CPU seconds per minute (1% of a core). */
const IDLE_CPU_BAR_S_PER_MIN = 0.6;

interface ByName {
  id: 'token' | 'status' | 'accounts';
  label: string;
  args: string[];
  bar: Bar;
  discardStdout?: boolean;
  check(run: TimedRun, store: CliStore): string | undefined;
}

const BY_NAME: readonly ByName[] = [
  {
    id: 'token',
    label: 'hft token --account NAME',
    args: ['--account', FLEET_ACCOUNT, 'token'],
    bar: { op: '<=', value: 1.5 },
    check: (run, store) => (run.stdout.trim() === store.token ? undefined : 'did not print the stored token'),
  },
  {
    id: 'status',
    label: 'hft status --json --account NAME',
    args: ['--account', FLEET_ACCOUNT, 'status', '--json'],
    bar: { op: '<=', value: 1.5 },
    check: (run) =>
      (JSON.parse(run.stdout) as { is_authenticated?: boolean }).is_authenticated === true
        ? undefined
        : 'says not authenticated',
  },
  {
    // Its output grows with the accounts, hence the wider bar; printed to /dev/null.
    id: 'accounts',
    label: 'hft accounts --json >/dev/null',
    args: ['accounts', '--json'],
    bar: { op: '<=', value: 3 },
    discardStdout: true,
    check: () => undefined,
  },
];

const byNameRow = (command: ByName, kind: BackendKind) =>
  `fleet: ${command.label} (${kind}), 10k accounts / 1`;
const idleRow = (kind: BackendKind) => `fleet: idle hft watch --all (${kind}), CPU s per minute / 0.6 s`;

/** Whether the built `hft watch` has `--all` (helper work of issue 14 that may not be there yet). */
function hasWatchAll(env: NodeJS.ProcessEnv, cwd: string): boolean {
  const help = runNode([hftBinPath(), 'watch', '--help'], env, cwd);
  return /--all\b/.test(help.stdout);
}

/**
 * The file store's listing cache vouches for a whole directory only once the directory has been
 * unchanged for 2 s (file system times are coarse); until then a listing checks each file. The
 * by-name rows measure a store at rest, so they wait that long after the seeding (plus a margin),
 * and {@link afterWriteRow} measures the other case.
 */
const FILE_SETTLE_MS = 2_500;

async function settled(store: CliStore): Promise<void> {
  if (store.spec.kind !== 'file') return;
  const age = Date.now() - statSync(store.spec.dir).mtimeMs;
  if (age < FILE_SETTLE_MS) await pause(FILE_SETTLE_MS - Math.max(0, age));
}

/**
 * `hft accounts --json` on the file store right after a write to it (an entry created and
 * removed in the token directory before each run), against the same on one account: no bar (the
 * by-name row has it), shown so that a store at rest is not the only case reported.
 */
function afterWriteRow(ctx: BenchContext, one: CliStore, many: CliStore): ResultRow {
  if (many.spec.kind !== 'file') throw new Error('afterWriteRow: file stores only');
  const hft = hftBinPath();
  const runs = ctx.quick ? 1 : 5;
  const times = { one: [] as number[], many: [] as number[] };
  const marker = join(many.spec.dir, '.bench-write');
  for (let i = 0; i < runs; i++) {
    writeFileSync(marker, '');
    rmSync(marker);
    for (const store of i % 2 === 0 ? [one, many] : [many, one]) {
      const run = runNode([hft, 'accounts', '--json'], store.env, store.home, { discardStdout: true });
      if (run.code !== 0)
        throw new Error(`hft accounts exited ${run.code}: ${run.stderr.trim().slice(0, 300)}`);
      times[store === one ? 'one' : 'many'].push(run.ms);
    }
  }
  return infoRow({
    name: 'fleet: hft accounts --json >/dev/null (file) right after a write, 10k accounts / 1 (no bar)',
    median: median(times.many),
    baseline: median(times.one),
    unit: 'ms',
    note: `${many.count} accounts; the directory changed just before each run (each file checked); median of ${runs} alternating runs`,
  });
}

async function byNameRows(ctx: BenchContext, one: CliStore, many: CliStore): Promise<ResultRow[]> {
  const hft = hftBinPath();
  const runs = ctx.quick ? 1 : 5;
  const rows: ResultRow[] = [];
  await settled(many);
  for (const command of BY_NAME) {
    const times = { one: [] as number[], many: [] as number[] };
    const once = (store: CliStore) => {
      const run = runNode([hft, ...command.args], store.env, store.home, {
        ...(command.discardStdout ? { discardStdout: true } : {}),
      });
      const wrong = run.code === 0 ? command.check(run, store) : `exited ${run.code}`;
      if (wrong) {
        throw new Error(
          `${command.label} on ${store.count} ${store.kind} accounts ${wrong}: ${run.stderr.trim().slice(0, 300)}`,
        );
      }
      return run.ms;
    };
    // One warm-up each (page cache, Redis), then alternating.
    once(one);
    once(many);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? [one, many] : [many, one];
      for (const store of order) times[store === one ? 'one' : 'many'].push(once(store));
    }
    rows.push(
      measuredRow({
        name: byNameRow(command, one.kind),
        median: median(times.many),
        baseline: median(times.one),
        unit: 'ms',
        bar: command.bar,
        note: `${many.count} accounts seeded through the store; median of ${runs} alternating runs`,
      }),
    );
  }
  return rows;
}

/** CPU seconds (user + system) used so far by process `pid`, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted after the command name: indexes 11 and 12;
  // in USER_HZ ticks, which Linux fixes at 100 per second for /proc.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/**
 * How long `hft watch --all` is left alone before its idle CPU is measured, at least, in ms. The
 * start-up (one listing of every account) leaves work for V8 behind it: its memory reducer runs
 * full collections 8-16 s later (seen with `--trace-gc` at 10,000 accounts), partly on helper
 * threads that `/proc` counts. Idle means after that.
 */
const SETTLE_MIN_MS = 20_000;
/** Consecutive quiet seconds (under 20 ms of CPU each) that end the settling, at most 90 s. */
const QUIET_SECONDS = 5;

/**
 * Starts `hft watch --all` on `store`, waits until it has settled (at least
 * {@link SETTLE_MIN_MS}, then {@link QUIET_SECONDS} consecutive quiet seconds), then measures its
 * CPU over a window of idle time (no account changes).
 */
async function idleWatchRow(ctx: BenchContext, store: CliStore): Promise<ResultRow> {
  const child = spawn(process.execPath, [hftBinPath(), 'watch', '--all'], {
    env: store.env,
    cwd: store.home,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('hft watch --all did not start');
    const startedAt = performance.now();
    const settleMin = ctx.quick ? 1000 : SETTLE_MIN_MS;
    const quietNeeded = ctx.quick ? 2 : QUIET_SECONDS;
    let last = cpuSeconds(pid);
    let quiet = 0;
    while (
      (quiet < quietNeeded || performance.now() - startedAt < settleMin) &&
      performance.now() - startedAt < 90_000
    ) {
      await pause(1000);
      if (gone) throw new Error(`hft watch --all exited: ${stderr.trim().slice(0, 300)}`);
      const now = cpuSeconds(pid);
      quiet = now - last < 0.02 ? quiet + 1 : 0;
      last = now;
    }
    const windowMs = ctx.quick ? 3000 : 60_000;
    const start = cpuSeconds(pid);
    const windowFrom = performance.now();
    await pause(windowMs);
    if (gone) throw new Error(`hft watch --all exited: ${stderr.trim().slice(0, 300)}`);
    const used = cpuSeconds(pid) - start;
    const perMinute = (used / ((performance.now() - windowFrom) / 1000)) * 60;
    return measuredRow({
      name: idleRow(store.kind),
      median: perMinute,
      baseline: IDLE_CPU_BAR_S_PER_MIN,
      unit: 's/min',
      bar: { op: '<=', value: 1 },
      note: `${store.count} accounts; CPU (user + system, /proc) over ${windowMs / 1000} s of idle time, from ${Math.round((windowFrom - startedAt) / 1000)} s after start (start-up settled)`,
    });
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Fleets (issue 14): what a process pays when the store holds 10,000 accounts instead of one,
 * per backend, through the built `hft`: by-name `token` and `status --json` (bar 1.5x), and
 * `accounts --json` to /dev/null (bar 3x: its output grows), each against the same command on
 * a store of the same backend holding only the asked-for account. Then the idle CPU of
 * `hft watch --all` over the 10,000 accounts (bar 0.6 s per minute); reported as pending while
 * the built CLI has no `--all`. Accounts are seeded through each store's own API. Quick mode:
 * 300 accounts.
 */
export const fleetFigure: Figure = {
  id: 'fleet',
  title: 'by-name token / status / accounts and idle watch --all with 10,000 accounts vs 1',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const count = ctx.quick ? QUICK_COUNT : FULL_COUNT;
    const rows: ResultRow[] = [];
    for (const kind of ['file', 'sqlite', 'redis'] as const) {
      ctx.log(`  fleet: ${kind} (${count} accounts)`);
      let one: CliStore;
      let many: CliStore;
      try {
        one = await cliStore(ctx, kind, 1, 'one');
        many = await cliStore(ctx, kind, count, 'many');
      } catch (error) {
        const reason = `${kind} store unavailable: ${errorMessage(error)}`;
        for (const command of BY_NAME)
          rows.push(skipRow(byNameRow(command, kind), 'ms', command.bar, reason));
        rows.push(skipRow(idleRow(kind), 's/min', { op: '<=', value: 1 }, reason));
        continue;
      }
      try {
        rows.push(...(await byNameRows(ctx, one, many)));
        if (kind === 'file') rows.push(afterWriteRow(ctx, one, many));
      } catch (error) {
        for (const command of BY_NAME) {
          rows.push(failedRow(byNameRow(command, kind), 'ms', command.bar, errorMessage(error)));
        }
      }
      if (!hasWatchAll(many.env, many.home)) {
        rows.push(pendingRow(idleRow(kind), 's/min', 'needs hft watch --all (not in this build)'));
        continue;
      }
      try {
        rows.push(await idleWatchRow(ctx, many));
      } catch (error) {
        rows.push(failedRow(idleRow(kind), 's/min', { op: '<=', value: 1 }, errorMessage(error)));
      }
    }
    return rows;
  },
};
