import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultRow } from './result-row.js';

const TIME_UNITS = new Set(['ns', 'µs', 'ms']);

/** A measured value with its unit, to about three significant digits (`31.2 ns`, `4,812 req/s`). */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) return '-';
  if (TIME_UNITS.has(unit)) {
    const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
    return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
  }
  if (unit === 'req/s') return `${Math.round(value).toLocaleString('en-US')} req/s`;
  return `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`;
}

/** A ratio to three decimals, or two significant digits when it is tiny (`0.0034`). */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '-';
  if (ratio !== 0 && Math.abs(ratio) < 0.01) return ratio.toPrecision(2);
  return ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(3);
}

const HEADER = ['name', 'median', 'baseline median', 'ratio', 'bar', 'status'] as const;

function cells(row: ResultRow): string[] {
  const status = row.reason ? `${row.status} (${row.reason})` : row.status;
  return [
    row.name,
    formatValue(row.median, row.unit),
    formatValue(row.baseline, row.unit),
    formatRatio(row.ratio),
    row.bar ?? '-',
    status,
  ];
}

/** The plain-text table printed at the end of a run (one row per line, aligned columns). */
export function formatTable(rows: readonly ResultRow[]): string {
  const table = [[...HEADER], ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(table[0]!), rule, ...table.slice(1).map(line)].join('\n');
}

/** The same table as GitHub markdown. */
export function formatMarkdown(rows: readonly ResultRow[]): string {
  const escapePipes = (cell: string) => cell.replace(/\|/g, '\\|');
  const out = [`| ${HEADER.join(' | ')} |`, '|---|---:|---:|---:|---|---|'];
  for (const row of rows) out.push(`| ${cells(row).map(escapePipes).join(' | ')} |`);
  return `${out.join('\n')}\n`;
}

/** Counts of rows per status, e.g. `{ PASS: 20, FAIL: 3 }`. */
export function summarize(rows: readonly ResultRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

/**
 * Writes `latest.json` (the rows, as a JSON list) and `latest.md` (the markdown table) into
 * `dir`, creating it when needed. Returns the two paths.
 */
export function writeResults(rows: readonly ResultRow[], dir: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(markdown, formatMarkdown(rows));
  return { json, markdown };
}
