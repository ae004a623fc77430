// The client's throttle when a store offers shared counters (`TokenStore.rateLimits`, Redis):
// each bucket's windows are counted per user in the backend, so every process of that user
// shares one budget. Without a backend (or on an outage that fails open) the per-process
// sliding-window throttle of throttle.ts applies.
import { StorageError } from '@hft/errors';
import { type Clock, systemClock } from '@hft/time/core';
import type { RateLimitBackend } from '../rate-limit-backend.js';
import type { RequestCategory } from './request-category.js';
import {
  type ClientRateLimits,
  createThrottle,
  LIMIT_WINDOWS,
  type Throttle,
  UPSTOX_ORDER_LIMITS,
  UPSTOX_STANDARD_LIMITS,
  type WindowLimits,
} from './throttle.js';

/** What the client does when the shared limiter cannot be reached. */
export type LimiterOutagePolicy = 'open' | 'closed';

/** Options of the shared (cross-process) rate limits of `createUpstoxClient`. */
export interface SharedRateLimitOptions {
  /** The counters; default: the token source's `store.rateLimits`. */
  backend?: RateLimitBackend;
  /** Whose budget (Upstox limits are per user). Default: the user id of the source's account key. */
  userId?: string;
  /**
   * On a limiter outage, `open` sends the request under this process's own limits, `closed`
   * fails it with `StorageError` before it is sent. Default: `closed` for orders (an order over
   * the limit can suspend the account), `open` for reads.
   */
  outage?: { order?: LimiterOutagePolicy; standard?: LimiterOutagePolicy };
  /** Time source for the windows. Default: the system clock. */
  clock?: Clock;
}

/** The parts of a token source the shared limits look at (a `TokenManager` has both). */
interface SharedLimitSource {
  readonly accountKey?: string | undefined;
  readonly store?: { readonly rateLimits?: RateLimitBackend | undefined };
}

interface Window {
  name: string;
  lengthMs: number;
  limit: number;
}

function windowsOf(limits: WindowLimits | false): Window[] | undefined {
  if (limits === false) return undefined;
  const out: Window[] = [];
  for (const [field, name, lengthMs] of LIMIT_WINDOWS) {
    const limit = limits[field];
    if (limit !== null && limit !== undefined) out.push({ name, lengthMs, limit });
  }
  return out.length > 0 ? out : undefined;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The user id of an account key `upstox:<client_id>:<user_id>`. */
function userOf(source: SharedLimitSource): string | undefined {
  const key = source.accountKey;
  if (typeof key !== 'string') return undefined;
  const last = key.lastIndexOf(':');
  return last === -1 ? undefined : key.slice(last + 1) || undefined;
}

/**
 * Takes one slot of every window of a bucket in the shared backend, waiting for the next window
 * when one is full.
 *
 * Windows are fixed and aligned to the clock (a second starts at a multiple of 1000 ms, a minute
 * at a multiple of 60 000 ms), each counted under its own key: the way a gateway counts per
 * second, so a budget taken by N processes together never exceeds the limit in any such
 * window. No request is released in the last `guardMs` of a second, so one still in transit
 * arrives in the window it was counted in. The per-second window is taken first, so a request
 * that must wait for it costs the longer windows nothing.
 */
async function takeShared(
  backend: RateLimitBackend,
  key: string,
  windows: readonly Window[],
  clock: Clock,
  guardMs: number,
): Promise<void> {
  const [first, ...rest] = windows as [Window, ...Window[]];
  for (;;) {
    const now = clock.now();
    const intoSecond = now % 1000;
    if (guardMs > 0 && intoSecond >= 1000 - guardMs) {
      await delay(1000 - intoSecond);
      continue;
    }
    const slot = (w: Window) => {
      const index = Math.floor(now / w.lengthMs);
      return backend
        .consume(`${key}:${w.name}:${index}`, w.limit, w.lengthMs + 1000)
        .then((ok) => (ok ? undefined : (index + 1) * w.lengthMs));
    };
    let until = await slot(first);
    if (until === undefined && rest.length > 0) {
      const later = (await Promise.all(rest.map(slot))).filter((t) => t !== undefined);
      if (later.length > 0) until = Math.max(...later);
    }
    if (until === undefined) return;
    await delay(until - clock.now());
  }
}

/**
 * The throttle of `createUpstoxClient`: shared per-user windows when a backend is there (given,
 * or the source's `store.rateLimits`), per-process sliding windows otherwise.
 * @throws InputError for invalid `rateLimits`.
 */
export function createClientThrottle(
  source: unknown,
  options: { rateLimits?: ClientRateLimits; sharedRateLimits?: SharedRateLimitOptions | false },
): Throttle {
  const shared = options.sharedRateLimits;
  const local = createThrottle(options.rateLimits, shared === false ? undefined : shared?.clock);
  if (shared === false) return local;
  const from = (source ?? {}) as SharedLimitSource;
  const backend = shared?.backend ?? from.store?.rateLimits;
  if (backend === undefined) return local;
  const limits = options.rateLimits ?? {};
  const buckets: Record<RequestCategory, Window[] | undefined> = {
    order: windowsOf(limits.order === undefined ? UPSTOX_ORDER_LIMITS : limits.order),
    standard: windowsOf(limits.standard === undefined ? UPSTOX_STANDARD_LIMITS : limits.standard),
  };
  const outage: Record<RequestCategory, LimiterOutagePolicy> = {
    order: shared?.outage?.order ?? 'closed',
    standard: shared?.outage?.standard ?? 'open',
  };
  const clock = shared?.clock ?? systemClock;
  // The same allowance the per-process throttle adds to its windows, as a guard band here.
  const guardMs = Math.min(900, Math.round(1000 * (limits.jitterAllowance ?? 0.1)));

  return (category) => {
    const windows = buckets[category];
    if (windows === undefined) return undefined;
    const userId = shared?.userId ?? userOf(from);
    // No account yet: the request fails on its token anyway; keep it under this process's limits.
    if (userId === undefined) return local(category);
    return takeShared(backend, `${category}:${userId}`, windows, clock, guardMs).catch((error: unknown) => {
      if (outage[category] === 'open') return local(category);
      const reason = error instanceof Error ? error.message : String(error);
      throw new StorageError(
        `The shared rate limiter (${backend.name}) is unavailable, so this ${category} request was not sent ` +
          `(it fails closed; sharedRateLimits.outage.${category} = 'open' would send it under per-process limits): ${reason}`,
        {
          backend: backend.name,
          cause: error,
          details: { backend: backend.name, operation: 'rate-limit' },
        },
      );
    });
  };
}
