import type { BackendKind } from '../backends/kit.js';
import { runNode, type TimedRun } from '../cli-run.js';
import type { BenchContext } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { type CliStore, cliStore } from '../fleet-kit.js';
import { hftBinPath } from '../package-paths.js';
import { type Bar, measuredRow, type ResultRow, skipRow } from '../result-row.js';
import { median } from '../stats.js';

/** `hft token` start-up bars per backend (issue 14): the shared backends may pay for their connection. */
const TOKEN_BARS: Record<BackendKind, Bar> = {
  file: { op: '<=', value: 1.5 },
  sqlite: { op: '<=', value: 2 },
  redis: { op: '<=', value: 2.5 },
};
const STATUS_BAR: Bar = { op: '<=', value: 3 };

interface Command {
  id: string;
  args: string[];
  store?: CliStore;
  /** Throws when the run's output is not what the command must print. */
  check(run: TimedRun): void;
}

const tokenRow = (kind: BackendKind) => `cli-startup: hft token (${kind}) / node -e 0`;

/**
 * Figure 6, CLI start-up: wall time of `hft token` on each backend (file <= 1.5x, SQLite <= 2x,
 * Redis <= 2.5x) and of `hft status --json` on the file store (<= 3x) against `node -e 0`, the
 * floor of any Node program. Each is a fresh child process on a temporary `HFT_HOME` whose store
 * holds one valid token (written through the store); all commands alternate run by run, and
 * medians are taken. Every run's output is checked.
 */
export const cliStartupFigure: Figure = {
  id: 'cli-startup',
  title: 'hft token (per backend) / hft status --json start-up vs node -e 0',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const hft = hftBinPath();
    const skipped = new Map<BackendKind, ResultRow>();
    const stores = new Map<BackendKind, CliStore>();
    for (const kind of ['file', 'sqlite', 'redis'] as const) {
      try {
        stores.set(kind, await cliStore(ctx, kind, 1, 'startup'));
      } catch (error) {
        skipped.set(
          kind,
          skipRow(
            tokenRow(kind),
            'ms',
            TOKEN_BARS[kind],
            `${kind} store unavailable: ${errorMessage(error)}`,
          ),
        );
      }
    }
    const file = stores.get('file');
    if (!file) throw new Error('cli-startup: the file store could not be set up');
    const fail = (command: Command, run: TimedRun, why: string) =>
      new Error(`cli-startup: ${command.id} ${why} (exit ${run.code}): ${run.stderr.trim().slice(0, 300)}`);
    const commands: Command[] = [
      { id: 'node', args: ['-e', '0'], check: () => {} },
      ...[...stores.values()].map(
        (store): Command => ({
          id: `token-${store.kind}`,
          args: [hft, 'token'],
          store,
          check(run) {
            if (run.code !== 0 || run.stdout.trim() !== store.token)
              throw fail(this, run, 'did not print the stored token');
          },
        }),
      ),
      {
        id: 'status',
        args: [hft, 'status', '--json'],
        store: file,
        check(run) {
          const status = run.code === 0 ? (JSON.parse(run.stdout) as { is_authenticated?: boolean }) : {};
          if (status.is_authenticated !== true) throw fail(this, run, 'says not authenticated');
        },
      },
    ];
    const once = (c: Command) => {
      const run = runNode(c.args, c.store?.env ?? file.env, c.store?.home ?? file.home);
      c.check(run);
      return run.ms;
    };
    const warmups = ctx.quick ? 1 : 2;
    const runs = ctx.quick ? 2 : 20;
    for (let i = 0; i < warmups; i++) for (const c of commands) once(c);
    const times = new Map<string, number[]>(commands.map((c) => [c.id, []]));
    for (let i = 0; i < runs; i++) {
      const shift = i % commands.length;
      for (const c of [...commands.slice(shift), ...commands.slice(0, shift)]) times.get(c.id)!.push(once(c));
    }
    const note = `median of ${runs} runs each, alternating`;
    const node = median(times.get('node')!);
    const rows: ResultRow[] = [];
    for (const kind of ['file', 'sqlite', 'redis'] as const) {
      const skip = skipped.get(kind);
      if (skip) {
        rows.push(skip);
        continue;
      }
      rows.push(
        measuredRow({
          name: tokenRow(kind),
          median: median(times.get(`token-${kind}`)!),
          baseline: node,
          unit: 'ms',
          bar: TOKEN_BARS[kind],
          note,
        }),
      );
    }
    rows.push(
      measuredRow({
        name: 'cli-startup: hft status --json (file) / node -e 0',
        median: median(times.get('status')!),
        baseline: node,
        unit: 'ms',
        bar: STATUS_BAR,
        note,
      }),
    );
    return rows;
  },
};
