import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '@hft/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIGURES, herdsFigure } from '../src/figures/index.js';
import { benchRoot } from '../src/package-paths.js';
import { formatMarkdown, formatTable, writeResults } from '../src/report.js';
import { failedRow, infoRow, measuredRow, type ResultRow, skipRow } from '../src/result-row.js';
import { type BenchSession, openSession } from '../src/session.js';

const BAR_TEXT = /^(<=|>=|==) \d+(\.\d+)?$/;

/** Checks the shape of one row; timings are never asserted, only that numbers are numbers. */
function expectWellFormed(row: ResultRow, figureId: string): void {
  expect(row.name.startsWith(`${figureId}: `), row.name).toBe(true);
  expect(row.unit.length).toBeGreaterThan(0);
  switch (row.status) {
    case 'PASS':
    case 'FAIL':
      // A FAIL with a reason means the measurement itself broke: not a well-formed figure.
      expect(row.reason, `${row.name}: ${row.reason}`).toBeUndefined();
      expect(Number.isFinite(row.median), row.name).toBe(true);
      expect(Number.isFinite(row.baseline), row.name).toBe(true);
      expect(row.ratio).toBeCloseTo((row.median as number) / (row.baseline as number), 12);
      expect(row.bar).toMatch(BAR_TEXT);
      break;
    case 'INFO':
      // Context with a number, or pending (what it measures is not built yet) with the reason.
      if (row.median === null) expect(row.reason, row.name).toMatch(/\S/);
      else expect(Number.isFinite(row.median), row.name).toBe(true);
      expect(row.bar).toBeNull();
      break;
    case 'SKIP':
      expect(row.reason, row.name).toMatch(/\S/);
      expect(row.median).toBeNull();
      expect(row.ratio).toBeNull();
      break;
    default:
      throw new Error(`unknown status ${String(row.status)}`);
  }
}

let session: BenchSession;

beforeAll(async () => {
  // Only the workers: the figures start them as child processes, while `dist/bench.js` is not run here.
  const root = benchRoot();
  const workers = readdirSync(join(root, 'src', 'workers')).map(
    (name) => `dist/workers/${name.replace(/\.ts$/, '.js')}`,
  );
  ensureBuilt(root, { outputs: workers });
  session = await openSession({ quick: true, redis: true });
}, 180_000);

afterAll(async () => {
  await session?.close();
});

describe('every figure in quick mode', () => {
  const rowsById = new Map<string, ResultRow[]>();

  for (const figure of FIGURES) {
    // The fleet figure runs the CLI against three seeded stores and, once the CLI has it, an
    // idle `hft watch --all` per backend: more than a minute on a busy machine.
    it(`${figure.id} produces well-formed rows`, {
      timeout: 180_000,
    }, async () => {
      const rows = await figure.run(session.ctx);
      rowsById.set(figure.id, rows);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expectWellFormed(row, figure.id);
      // The file store and the in-process parts always run: only sqlite/redis may be skipped.
      for (const row of rows.filter((r) => r.status === 'SKIP')) {
        expect(row.name, `${row.name} skipped: ${row.reason}`).toMatch(/sqlite|redis/);
      }
    });
  }

  it('herds: 1,000 cold getters cause exactly 1 read, N processes exactly 1 acquisition', async () => {
    const rows = rowsById.get(herdsFigure.id) ?? (await herdsFigure.run(session.ctx));
    const counts = rows.filter((r) => r.status !== 'SKIP');
    const names = counts.map((r) => r.name);
    expect(names).toContain('herds: 1000 cold getters, memory store reads');
    expect(names).toContain('herds: 1000 cold getters, file store reads');
    expect(names.some((n) => /processes refreshIfNeeded, file store acquisitions$/.test(n))).toBe(true);
    for (const row of counts) {
      expect(row.median, row.name).toBe(1);
      expect(row.status, row.name).toBe('PASS');
    }
  });
});

describe('result rows', () => {
  it('judges the ratio against the bar, failing closed on a non-finite ratio', () => {
    const row = (median: number, baseline: number, op: '<=' | '>=' | '==', value: number) =>
      measuredRow({
        name: 'x: y',
        median,
        baseline,
        unit: 'ns',
        bar: { op, value },
      }).status;
    expect(row(2, 1, '<=', 2)).toBe('PASS');
    expect(row(2.01, 1, '<=', 2)).toBe('FAIL');
    expect(row(97, 100, '>=', 0.97)).toBe('PASS');
    expect(row(96, 100, '>=', 0.97)).toBe('FAIL');
    expect(row(1, 1, '==', 1)).toBe('PASS');
    expect(row(2, 1, '==', 1)).toBe('FAIL');
    expect(row(0, 0, '<=', 2)).toBe('FAIL');
    expect(row(1, 0, '>=', 0.97)).toBe('FAIL');
  });

  it('skip, failed and info rows carry no made-up numbers', () => {
    expect(skipRow('a: b', 'ms', { op: '<=', value: 1 }, 'why')).toMatchObject({
      status: 'SKIP',
      median: null,
      ratio: null,
      bar: '<= 1',
      reason: 'why',
    });
    expect(failedRow('a: b', 'ms', null, 'broke')).toMatchObject({
      status: 'FAIL',
      median: null,
      bar: null,
    });
    expect(infoRow({ name: 'a: p99', median: 3, unit: 'ms' })).toMatchObject({
      status: 'INFO',
      baseline: null,
      ratio: null,
      bar: null,
    });
  });
});

describe('report', () => {
  const rows: ResultRow[] = [
    measuredRow({
      name: 'f: a / b',
      median: 51.8,
      baseline: 6.7,
      unit: 'ns',
      bar: { op: '<=', value: 2 },
    }),
    skipRow('f: c', 'µs', { op: '<=', value: 1.3 }, 'no redis-server'),
  ];

  it('prints every row with its status and a header', () => {
    const table = formatTable(rows).split('\n');
    expect(table[0]).toMatch(/^name\s+median\s+baseline median\s+ratio\s+bar\s+status$/);
    expect(table[2]).toMatch(/^f: a \/ b\s+51\.8 ns\s+6\.70 ns\s+7\.731\s+<= 2\s+FAIL$/);
    expect(table[3]).toMatch(/SKIP \(no redis-server\)$/);
  });

  it('writes latest.json (the rows) and latest.md (a markdown table)', () => {
    const { json, markdown } = writeResults(rows, join(session.ctx.tmpDir, 'results'));
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(rows);
    const md = readFileSync(markdown, 'utf8');
    expect(md).toBe(formatMarkdown(rows));
    expect(md.split('\n')[0]).toBe('| name | median | baseline median | ratio | bar | status |');
    expect(md).toContain('| f: a / b | 51.8 ns | 6.70 ns | 7.731 | <= 2 | FAIL |');
  });
});
