import { assertFiniteNumber } from '@hft/errors/assert';
import { type Clock, systemClock } from '@hft/time/core';
import { SlidingWindowLog } from '../sliding-window-log.js';
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
 * Takes a slot of a bucket for one request: `undefined` when it may be sent now (no promise,
 * not even a turn of the event loop), else a promise that resolves when its slot comes.
 */
export type Throttle = (category: RequestCategory) => Promise<void> | undefined;

/** The windows of a bucket: the field of {@link WindowLimits}, a short name, the length in ms. */
export const LIMIT_WINDOWS = [
  ['perSecond', '1s', 1000],
  ['perMinute', '1m', 60_000],
  ['perThirtyMinutes', '30m', 30 * 60_000],
] as const;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A bucket's gate: a sliding log per window. Each request is given a release time at once (in
 * the order of the calls), the earliest at which no window would hold more than its limit:
 * `limit` requests released within any span of the window's length, never more. So the
 * broker's fixed windows, which are no longer, are never exceeded either.
 */
function gate(
  bucket: 'order' | 'standard',
  limits: WindowLimits | false | undefined,
  allowance: number,
  clock: Clock,
): (() => Promise<void> | undefined) | undefined {
  if (limits === false || limits === undefined) return undefined;
  const logs: SlidingWindowLog[] = [];
  for (const [field, , lengthMs] of LIMIT_WINDOWS) {
    const limit = limits[field];
    if (limit === null || limit === undefined) continue;
    assertFiniteNumber(limit, `rateLimits.${bucket}.${field}`, { integer: true, min: 1 });
    logs.push(new SlidingWindowLog(limit, Math.ceil(lengthMs * (1 + allowance))));
  }
  if (logs.length === 0) return undefined;
  // Release times never go backwards (each request is given the latest so far, or later), so
  // the logs stay in order and requests leave in the order they came.
  let latest = Number.NEGATIVE_INFINITY;
  return () => {
    const now = clock.now();
    let at = Math.max(now, latest);
    for (const log of logs) at = log.freeAt(at);
    // A later window's wait can only move `at` later, which every earlier log allows too.
    for (const log of logs) log.record(at);
    latest = at;
    return at > now ? delay(at - now) : undefined;
  };
}

/**
 * Builds the client-side throttle: one sliding-window gate per bucket, over every window of it.
 * `clock` gives the release times (the wait itself is a timer). A log holds the times of one
 * window's requests, so memory is bounded by the limits.
 * @throws InputError for a limit that is not a whole number >= 1, or a negative allowance.
 */
export function createThrottle(limits: ClientRateLimits = {}, clock: Clock = systemClock): Throttle {
  const allowance = limits.jitterAllowance ?? 0.1;
  assertFiniteNumber(allowance, 'rateLimits.jitterAllowance', { min: 0 });
  const order = gate(
    'order',
    limits.order === undefined ? UPSTOX_ORDER_LIMITS : limits.order,
    allowance,
    clock,
  );
  const standard = gate(
    'standard',
    limits.standard === undefined ? UPSTOX_STANDARD_LIMITS : limits.standard,
    allowance,
    clock,
  );
  return (category) => (category === 'order' ? order : standard)?.();
}
