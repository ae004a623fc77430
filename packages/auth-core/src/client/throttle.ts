import { assertFiniteNumber } from '@hft/errors/assert';
import pThrottle from 'p-throttle';
import type { RequestCategory } from './request-category.js';

/** Requests allowed per window; `null` or absent means no limit for that window. */
export interface WindowLimits {
  perSecond?: number | null;
  perMinute?: number | null;
  perThirtyMinutes?: number | null;
}

/** Client-side limits per bucket; `false` turns a bucket's throttling off. */
export interface ClientRateLimits {
  order?: WindowLimits | false;
  standard?: WindowLimits | false;
  /**
   * Each window is this fraction longer on the client than at the broker, so that requests
   * released at the very end of one window but delayed on their way (event loop, network) are
   * not counted by Upstox in the next one. Default 0.1 (a 1 s window becomes 1.1 s).
   */
  jitterAllowance?: number;
}

/** Upstox's published limits (regular algos): orders 10/s, 500/min, 2000/30 min. */
export const UPSTOX_ORDER_LIMITS: Readonly<WindowLimits> = {
  perSecond: 10,
  perMinute: 500,
  perThirtyMinutes: 2000,
};
/** Upstox's published limits for other standard APIs: 50/s, 500/min, 2000/30 min. */
export const UPSTOX_STANDARD_LIMITS: Readonly<WindowLimits> = {
  perSecond: 50,
  perMinute: 500,
  perThirtyMinutes: 2000,
};

/**
 * Waits until a request of a bucket may be sent: a promise to await, or `undefined` when the
 * bucket has no limit (nothing to wait for, not even a promise turn).
 */
export type Throttle = (category: RequestCategory) => Promise<void> | undefined;

const WINDOWS = [
  ['perThirtyMinutes', 30 * 60_000],
  ['perMinute', 60_000],
  ['perSecond', 1000],
] as const;

function gate(
  limits: WindowLimits | false | undefined,
  allowance: number,
): (() => Promise<void> | undefined) | undefined {
  if (limits === false || limits === undefined) return undefined;
  // The innermost step is a plain function: p-throttle resolves its promise with the result,
  // and an async no-op would make every request wait for one more promise to be adopted. With
  // no window at all, nothing is returned: nothing to wait for.
  let run: () => Promise<void> | undefined = () => undefined;
  for (const [field, interval] of WINDOWS) {
    const limit = limits[field];
    if (limit === null || limit === undefined) continue;
    // Strict mode is a sliding window: no span of `interval` ever holds more than `limit`, so the
    // broker's fixed windows are never exceeded either, given the allowance for delays in transit.
    run = pThrottle({ limit, interval: Math.ceil(interval * (1 + allowance)), strict: true })(run);
  }
  return run;
}

/** Builds the client-side throttle: one sliding-window gate per bucket and window. */
export function createThrottle(limits: ClientRateLimits = {}): Throttle {
  const allowance = limits.jitterAllowance ?? 0.1;
  assertFiniteNumber(allowance, 'rateLimits.jitterAllowance', { min: 0 });
  const order = gate(limits.order === undefined ? UPSTOX_ORDER_LIMITS : limits.order, allowance);
  const standard = gate(limits.standard === undefined ? UPSTOX_STANDARD_LIMITS : limits.standard, allowance);
  return (category) => (category === 'order' ? order : standard)?.();
}
