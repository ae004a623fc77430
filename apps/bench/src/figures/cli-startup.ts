import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createFileTokenStore } from '@hft/storage-file';
import { type BenchContext, scratchDir } from '../context.js';
import type { Figure } from '../figure.js';
import { hftBinPath } from '../package-paths.js';
import { BENCH_CLIENT_ID, makeRecord } from '../records.js';
import { measuredRow, type ResultRow } from '../result-row.js';
import { median } from '../stats.js';

interface Command {
  name: 'node' | 'token' | 'status';
  args: string[];
}

function runOnce(
  command: Command,
  env: NodeJS.ProcessEnv,
  cwd: string,
): { ms: number; stdout: string; code: number | null } {
  const started = performance.now();
  const result = spawnSync(process.execPath, command.args, {
    env,
    cwd,
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.error) throw result.error;
  return { ms, stdout: result.stdout, code: result.status };
}

/**
 * Figure 6, CLI start-up: wall time of `hft token` (bar: at most 2x) and `hft status --json`
 * (bar: at most 3x) against `node -e 0`, the floor of any Node program. Each is a fresh child
 * process on a temporary `HFT_HOME` whose file store holds one valid token; the three commands
 * alternate run by run, and medians are taken. Every run's output is checked.
 */
export const cliStartupFigure: Figure = {
  id: 'cli-startup',
  title: 'hft token / hft status --json start-up vs node -e 0',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const hft = hftBinPath();
    const home = scratchDir(ctx, 'cli-home');
    const record = makeRecord();
    const store = createFileTokenStore({ dir: join(home, 'tokens') });
    await store.set(record.accountKey, record);
    await store.close();
    // A clean environment: nothing from the caller's HFT_* / UPSTOX_* settings leaks in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      HFT_HOME: home,
      UPSTOX_CLIENT_ID: BENCH_CLIENT_ID,
    };
    const commands: Command[] = [
      { name: 'node', args: ['-e', '0'] },
      { name: 'token', args: [hft, 'token'] },
      { name: 'status', args: [hft, 'status', '--json'] },
    ];
    const check = (command: Command, outcome: ReturnType<typeof runOnce>) => {
      if (outcome.code !== 0)
        throw new Error(`cli-startup: ${command.args.join(' ')} exited ${outcome.code}`);
      if (command.name === 'token' && outcome.stdout.trim() !== record.tokens.daily!.token) {
        throw new Error('cli-startup: hft token printed something else than the stored token');
      }
      if (command.name === 'status') {
        const status = JSON.parse(outcome.stdout) as {
          is_authenticated?: boolean;
        };
        if (status.is_authenticated !== true)
          throw new Error('cli-startup: hft status says not authenticated');
      }
    };
    const warmups = ctx.quick ? 1 : 2;
    const runs = ctx.quick ? 2 : 20;
    for (let i = 0; i < warmups; i++) for (const c of commands) check(c, runOnce(c, env, home));
    const times: Record<Command['name'], number[]> = {
      node: [],
      token: [],
      status: [],
    };
    for (let i = 0; i < runs; i++) {
      const shift = i % commands.length;
      for (const c of [...commands.slice(shift), ...commands.slice(0, shift)]) {
        const outcome = runOnce(c, env, home);
        check(c, outcome);
        times[c.name].push(outcome.ms);
      }
    }
    const note = `median of ${runs} runs each, alternating`;
    return [
      measuredRow({
        name: 'cli-startup: hft token / node -e 0',
        median: median(times.token),
        baseline: median(times.node),
        unit: 'ms',
        bar: { op: '<=', value: 2 },
        note,
      }),
      measuredRow({
        name: 'cli-startup: hft status --json / node -e 0',
        median: median(times.status),
        baseline: median(times.node),
        unit: 'ms',
        bar: { op: '<=', value: 3 },
        note,
      }),
    ];
  },
};
