/**
 * What an order path does: `place`, `modify`, `cancel` (v2 and v3), `multi-place`,
 * `multi-cancel`, `exit-all` (exit all positions), `gtt-place`, `gtt-modify`, `gtt-cancel`.
 */
export type OrderCategory =
  | 'place'
  | 'modify'
  | 'cancel'
  | 'multi-place'
  | 'multi-cancel'
  | 'exit-all'
  | 'gtt-place'
  | 'gtt-modify'
  | 'gtt-cancel';

/** One order path: method + path -> category. */
export interface OrderPath {
  method: 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** API version of the path (v3 answers carry `metadata.latency`). */
  version: 2 | 3;
  category: OrderCategory;
  /** Served on the sandbox host too (Upstox's sandbox-enabled order APIs). */
  sandbox: boolean;
}

/**
 * THE table of order paths (reference §9, §12). Each entry gets a route that needs a daily token,
 * one of the user's registered static IPs, `X-Algo-Name` when the app is an algo app, and a slot
 * in the user's combined order rate-limit bucket.
 */
export const ORDER_PATHS: readonly OrderPath[] = [
  { method: 'POST', path: '/v2/order/place', version: 2, category: 'place', sandbox: true },
  { method: 'PUT', path: '/v2/order/modify', version: 2, category: 'modify', sandbox: true },
  { method: 'DELETE', path: '/v2/order/cancel', version: 2, category: 'cancel', sandbox: true },
  { method: 'POST', path: '/v3/order/place', version: 3, category: 'place', sandbox: true },
  { method: 'PUT', path: '/v3/order/modify', version: 3, category: 'modify', sandbox: true },
  { method: 'DELETE', path: '/v3/order/cancel', version: 3, category: 'cancel', sandbox: true },
  { method: 'POST', path: '/v2/order/multi/place', version: 2, category: 'multi-place', sandbox: true },
  { method: 'DELETE', path: '/v2/order/multi/cancel', version: 2, category: 'multi-cancel', sandbox: false },
  { method: 'POST', path: '/v2/order/positions/exit', version: 2, category: 'exit-all', sandbox: false },
  { method: 'POST', path: '/v3/order/gtt/place', version: 3, category: 'gtt-place', sandbox: false },
  { method: 'PUT', path: '/v3/order/gtt/modify', version: 3, category: 'gtt-modify', sandbox: false },
  { method: 'DELETE', path: '/v3/order/gtt/cancel', version: 3, category: 'gtt-cancel', sandbox: false },
];
