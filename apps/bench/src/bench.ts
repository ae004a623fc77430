#!/usr/bin/env node
// `pnpm bench`: runs the figures of issue 8, prints the table and writes results/latest.{json,md}.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FIGURES, NEEDS_REDIS } from './figures/index.js';
import { sinkValue } from './measure.js';
import { benchRoot } from './package-paths.js';
import { formatTable, summarize, writeResults } from './report.js';
import type { ResultRow } from './result-row.js';
import { openSession, runFigure } from './session.js';

const USAGE = `Usage: node dist/bench.js [--quick] [--only <id>[,<id>...]] [--out <dir>] [--strict] [--list]

  --quick        short runs and small counts (smoke test; numbers are rough)
  --only <ids>   run only these figures (repeatable or comma-separated)
  --out <dir>    write latest.json / latest.md there (default: the package's results/)
  --strict       exit 1 when any row FAILs (default: exit 1 only when a figure crashed)
  --list         print the figure ids and exit

Figures: ${FIGURES.map((f) => f.id).join(', ')}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const f of FIGURES) console.log(`${f.id.padEnd(12)} ${f.title}`);
    return 0;
  }
  const wanted = (values.only ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = wanted.filter((id) => !FIGURES.some((f) => f.id === id));
  if (unknown.length > 0) {
    console.error(`unknown figure: ${unknown.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const figures = wanted.length === 0 ? FIGURES : FIGURES.filter((f) => wanted.includes(f.id));
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const session = await openSession({
    quick: values.quick,
    redis: figures.some((f) => NEEDS_REDIS.has(f.id)),
    log,
  });
  const rows: ResultRow[] = [];
  const started = performance.now();
  try {
    if (session.ctx.redisUnavailable && figures.some((f) => NEEDS_REDIS.has(f.id))) {
      log(`redis-server unavailable: ${session.ctx.redisUnavailable}`);
    }
    for (const figure of figures) {
      const t0 = performance.now();
      log(`[${figure.id}] ${figure.title}`);
      rows.push(...(await runFigure(figure, session.ctx)));
      log(`[${figure.id}] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await session.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(formatTable(rows));
  const counts = summarize(rows);
  console.log(
    `\n${Object.entries(counts)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ')} in ${seconds.toFixed(0)} s${values.quick ? ' (quick mode)' : ''}`,
  );
  const paths = writeResults(rows, resolve(values.out ?? join(benchRoot(), 'results')));
  console.log(`wrote ${paths.json} and ${paths.markdown}`);
  // Reading the accumulator of the measured loops keeps their results observable (blackhole()).
  log(`checksum of measured results: ${sinkValue()}`);
  const crashed = rows.some((r) => r.name.endsWith(': error'));
  return crashed || (values.strict && (counts.FAIL ?? 0) > 0) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
