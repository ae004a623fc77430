// Every delivery that passes the payload checks costs one outbound profile call, and Upstox does
// not sign deliveries: without a bound, anyone who can reach the receiver spends the user's
// Upstox rate limit. The bound refuses (rather than queues) so a flood never piles up requests.
import type { Clock } from '@hft/time/core';
import { SlidingWindowLog } from '../sliding-window-log.js';

/** Bounds of {@link createCheckLimiter}. */
export interface CheckLimits {
  /** Outbound checks running at once. Default 2. */
  concurrency?: number;
  /** Outbound checks started per second (sliding window of 1 s by the clock). Default 5. */
  perSecond?: number;
}

/** A non-blocking limiter: a task either starts now or is refused. */
export interface CheckLimiter {
  /** Runs `task` if both bounds allow it now; `undefined` (and `task` not called) otherwise. */
  tryRun<T>(task: () => Promise<T>): Promise<T> | undefined;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer`);
  return n;
}

/**
 * A limiter of outbound confirmation calls: at most `concurrency` running and `perSecond`
 * started in any second of `clock`.
 * @throws RangeError when a bound is not a positive integer.
 */
export function createCheckLimiter(limits: CheckLimits, clock: Clock): CheckLimiter {
  const concurrency = positiveInteger(limits.concurrency, 2, 'checks.concurrency');
  const perSecond = positiveInteger(limits.perSecond, 5, 'checks.perSecond');
  const starts = new SlidingWindowLog(perSecond, 1000);
  let running = 0;
  return {
    tryRun<T>(task: () => Promise<T>): Promise<T> | undefined {
      const now = clock.now();
      if (running >= concurrency || starts.freeAt(now) > now) return undefined;
      starts.record(now);
      running += 1;
      const release = () => {
        running -= 1;
      };
      let started: Promise<T>;
      try {
        started = task();
      } catch (error) {
        release();
        return Promise.reject(error);
      }
      return started.finally(release);
    },
  };
}
