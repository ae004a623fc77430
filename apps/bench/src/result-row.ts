/** How a ratio is judged against its bar. */
export type BarOp = '<=' | '>=' | '==';

/** A bar: the ratio must satisfy `ratio <op> value`. */
export interface Bar {
  op: BarOp;
  value: number;
}

/**
 * `PASS` / `FAIL` against the bar; `SKIP` when the figure could not be measured (with a
 * `reason`); `INFO` for extra rows that have no bar (e.g. a p99 beside its p50).
 */
export type RowStatus = 'PASS' | 'FAIL' | 'SKIP' | 'INFO';

/** One line of the report, as written to `results/latest.json`. */
export interface ResultRow {
  /** Figure id and what is compared, e.g. `hot-path: getAccessToken() / Map.get`. */
  name: string;
  /** Median (or p50/p99, count, throughput) of the measured side, in `unit`; `null` when skipped. */
  median: number | null;
  /** Median of the baseline measured in the same run, in `unit`; `null` when there is none. */
  baseline: number | null;
  /** `ns`, `µs`, `ms`, `req/s`, or a count noun (`reads`, `acquisitions`). */
  unit: string;
  /** `median / baseline`; `null` when either is missing. */
  ratio: number | null;
  /** The bar as text (`<= 2`, `>= 0.97`, `== 1`); `null` for rows without a bar. */
  bar: string | null;
  status: RowStatus;
  /** Why a row was skipped. */
  reason?: string;
  /** Context for the reader: sample counts, what the baseline does. */
  note?: string;
}

/** Formats a bar as `<= 2`. */
export function formatBar(bar: Bar): string {
  return `${bar.op} ${bar.value}`;
}

/** Whether `ratio` meets `bar` (`==` is exact: it is used for counts). */
export function meets(ratio: number, bar: Bar): boolean {
  switch (bar.op) {
    case '<=':
      return ratio <= bar.value;
    case '>=':
      return ratio >= bar.value;
    case '==':
      return ratio === bar.value;
  }
}

/**
 * A measured row: ratio = `median / baseline`, judged against `bar`.
 * A missing or non-finite ratio (e.g. a baseline of 0) is a `FAIL`, never a pass.
 */
export function measuredRow(input: {
  name: string;
  median: number;
  baseline: number;
  unit: string;
  bar: Bar;
  note?: string;
}): ResultRow {
  const ratio = input.median / input.baseline;
  const ok = Number.isFinite(ratio) && meets(ratio, input.bar);
  return {
    name: input.name,
    median: input.median,
    baseline: input.baseline,
    unit: input.unit,
    ratio,
    bar: formatBar(input.bar),
    status: ok ? 'PASS' : 'FAIL',
    ...(input.note === undefined ? {} : { note: input.note }),
  };
}

/** A row without a bar (`INFO`): a figure shown for context, e.g. p99 latency. */
export function infoRow(input: {
  name: string;
  median: number;
  baseline?: number;
  unit: string;
  note?: string;
}): ResultRow {
  const baseline = input.baseline ?? null;
  return {
    name: input.name,
    median: input.median,
    baseline,
    unit: input.unit,
    ratio: baseline === null ? null : input.median / baseline,
    bar: null,
    status: 'INFO',
    ...(input.note === undefined ? {} : { note: input.note }),
  };
}

/** A row that could not be measured; `reason` says why (never a made-up number). */
export function skipRow(name: string, unit: string, bar: Bar | null, reason: string): ResultRow {
  return {
    name,
    median: null,
    baseline: null,
    unit,
    ratio: null,
    bar: bar ? formatBar(bar) : null,
    status: 'SKIP',
    reason,
  };
}

/**
 * A row whose measurement broke (a store error, a lost notification): a finding, so `FAIL`,
 * with `reason` saying what happened and no number.
 */
export function failedRow(name: string, unit: string, bar: Bar | null, reason: string): ResultRow {
  return { ...skipRow(name, unit, bar, reason), status: 'FAIL' };
}

/**
 * A row that cannot be measured yet because what it measures is not built (`INFO`, no number):
 * `reason` says what is missing. Unlike {@link skipRow}, nothing failed to set up.
 */
export function pendingRow(name: string, unit: string, reason: string): ResultRow {
  return { ...skipRow(name, unit, null, reason), status: 'INFO' };
}
