import type { Clock } from '@hft/time/core';
import type { WindowLimits } from './types.js';

const WINDOWS: ReadonlyArray<[keyof WindowLimits, number]> = [
  ['perSecond', 1000],
  ['perMinute', 60_000],
  ['perThirtyMinutes', 30 * 60_000],
];

interface Counter {
  start: number;
  count: number;
}

/**
 * Fixed-window request counter driven by an injected clock: each window (1 s, 1 min, 30 min) is
 * aligned to multiples of its length on the clock's epoch, so a test that moves a manual clock
 * past a boundary sees a fresh budget. Denied requests are not counted.
 */
export class FixedWindowLimiter {
  readonly #limits: Required<WindowLimits>;
  readonly #clock: Clock;
  readonly #counters = new Map<string, Counter>();

  /** @param limits allowed requests per window (null = unlimited); @param clock source of "now". */
  constructor(limits: Required<WindowLimits>, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** True when every window of `key` still has budget (and counts the request); false otherwise. */
  take(key: string): boolean {
    const now = this.#clock.now();
    const active: Counter[] = [];
    for (const [name, length] of WINDOWS) {
      const limit = this.#limits[name];
      if (limit === null) continue;
      const start = Math.floor(now / length) * length;
      const id = `${name}\u0000${key}`;
      let counter = this.#counters.get(id);
      if (!counter || counter.start !== start) {
        counter = { start, count: 0 };
        this.#counters.set(id, counter);
      }
      if (counter.count >= limit) return false;
      active.push(counter);
    }
    for (const counter of active) counter.count += 1;
    return true;
  }

  /** Forgets every counter. */
  reset(): void {
    this.#counters.clear();
  }
}
