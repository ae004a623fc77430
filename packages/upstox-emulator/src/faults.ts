import { checkFaultKey, resolveFault } from './options.js';
import type { Fault } from './types.js';

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

/**
 * Faults by route key. A request is matched against its route pattern key
 * (`POST /v3/login/auth/token/request/:client_id`), then its concrete key
 * (`POST /v3/login/auth/token/request/my-app`), then `'*'`.
 */
export class FaultRegistry {
  readonly #faults = new Map<string, ActiveFault>();

  /**
   * Sets (or replaces) the fault of `key`.
   * @throws InputError when the key or fault is invalid.
   */
  set(key: string, fault: Fault): void {
    checkFaultKey(key, 'route');
    const checked = resolveFault(fault, 'fault');
    this.#faults.set(key, { fault: checked, remaining: checked.times ?? Number.POSITIVE_INFINITY });
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults.clear();
  }

  /** Faults in force, with how many applications remain (`times`), by key. */
  list(): Record<string, Fault> {
    const out: Record<string, Fault> = {};
    for (const [key, { fault, remaining }] of this.#faults) {
      out[key] = Number.isFinite(remaining) ? { ...fault, times: remaining } : { ...fault };
    }
    return out;
  }

  /**
   * The fault to apply to this request, if any; counts one application against `times`. An
   * `ipNotRegistered` fault is only taken by an order path (`orderPath` true).
   */
  take(method: string, routePattern: string | null, path: string, orderPath = false): Fault | undefined {
    const keys = [routePattern ? `${method} ${routePattern}` : undefined, `${method} ${path}`, '*'];
    for (const key of keys) {
      if (key === undefined) continue;
      const active = this.#faults.get(key);
      if (!active || (active.fault.ipNotRegistered && !orderPath)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.#faults.delete(key);
      return active.fault;
    }
    return undefined;
  }
}

/** HTML served by an `html: true` fault: looks like a CDN block page, not Upstox JSON. */
export const BLOCK_PAGE_HTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Attention Required!</title></head>
<body><h1>Sorry, you have been blocked</h1>
<p>You are unable to access api.upstox.com (emulated block page).</p></body></html>
`;
