import { Bench } from 'tinybench';
import { median } from './stats.js';

/** One side of a comparison: a function tinybench times, standing for `opsPerCall` operations. */
export interface Contender {
  /** Unique within one {@link alternate} call. */
  name: string;
  /** The timed function; it must consume its results (see {@link blackhole}). */
  fn: () => unknown;
  /** Whether `fn` returns a promise to await (declared, so tinybench does not probe it). */
  async: boolean;
  /** How many operations one call of `fn` performs (inner loop); per-op times divide by it. Default 1. */
  opsPerCall?: number;
}

/** Options of {@link alternate}. */
export interface AlternateOptions {
  /** Rounds; each runs every contender once, in a rotated order. Default 5. */
  rounds?: number;
  /** Time budget of one contender in one round, in ms. Default 200. */
  timeMs?: number;
  /** Warm-up time of each contender before its first round, in ms. Default 50. */
  warmupMs?: number;
  /** Minimum samples per contender per round. Default 5. */
  minSamples?: number;
}

/** Per-contender outcome of {@link alternate}: per-op times in milliseconds. */
export interface Timing {
  /** Median time of one operation over every sample of every round, in ms. */
  medianMs: number;
  /** Number of samples (calls of `fn`) that make the median. */
  samples: number;
}

let sink = 0;

/**
 * Stores a value where the optimiser cannot prove it unused, so a measured loop whose result
 * goes here is not eliminated as dead code.
 */
export function blackhole(value: number): void {
  sink = (sink + value) | 0;
}

/** The accumulated value of {@link blackhole} (read it once so the sink itself stays live). */
export function sinkValue(): number {
  return sink;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Collects garbage now when `--expose-gc` is on (else does nothing), so that one contender's
 * garbage is not collected during the next one's measurement.
 */
export function collectGarbage(): void {
  gc?.();
}

/**
 * Times several contenders with tinybench, alternating them: `rounds` short benches, each
 * running every contender once in a rotated order, so slow drift of the machine (other
 * processes, thermal state) hits every contender alike. Samples of all rounds are pooled and
 * the median per operation is returned. Collects garbage between rounds when `--expose-gc` is on.
 *
 * @throws whatever a contender throws (tinybench runs with `throws: true`).
 */
export async function alternate(
  contenders: readonly Contender[],
  options: AlternateOptions = {},
): Promise<Map<string, Timing>> {
  const rounds = options.rounds ?? 5;
  const timeMs = options.timeMs ?? 200;
  const warmupMs = options.warmupMs ?? 50;
  const minSamples = options.minSamples ?? 5;
  const pooled = new Map<string, number[]>(contenders.map((c) => [c.name, []]));

  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: timeMs,
      iterations: minSamples,
      warmup: round === 0,
      warmupTime: warmupMs,
      warmupIterations: minSamples,
      retainSamples: true,
      throws: true,
    });
    const shift = round % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    for (const c of order) bench.add(c.name, c.fn, { async: c.async });
    collectGarbage();
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') {
        throw new Error(`benchmark task ${task.name} ended ${result.state}`);
      }
      const contender = contenders.find((c) => c.name === task.name)!;
      const per = contender.opsPerCall ?? 1;
      const samples = result.latency.samples ?? [];
      pooled.get(task.name)!.push(...samples.map((ms) => ms / per));
    }
  }

  const out = new Map<string, Timing>();
  for (const [name, samples] of pooled) {
    if (samples.length === 0) throw new Error(`benchmark task ${name} produced no samples`);
    out.set(name, { medianMs: median(samples), samples: samples.length });
  }
  return out;
}
