// THE table of Upstox's order paths. Every rule the client applies to an order comes from a row
// here: which host it goes to, whether it carries `X-Algo-Name`, and that it counts against the
// combined order rate-limit bucket. `requestCategory` and `usesOrderHost` read it; nothing else
// may describe order paths.

/** What an order path does. */
export type OrderOperation =
  | 'place'
  | 'modify'
  | 'cancel'
  | 'multi-place'
  | 'multi-cancel'
  | 'exit-all'
  | 'gtt-place'
  | 'gtt-modify'
  | 'gtt-cancel';

/** One row of {@link ORDER_PATHS}. */
export interface OrderPathRow {
  /** The HTTP method Upstox documents for the path. */
  method: 'POST' | 'PUT' | 'DELETE';
  /** The path, relative to the API host. */
  path: string;
  /** What the path does. */
  operation: OrderOperation;
  /**
   * Sent to the low-latency order host (`orderBaseUrl`, `https://api-hft.upstox.com`): the
   * single-order place/modify/cancel paths, as Upstox's own SDKs and samples send them.
   */
  orderHost: boolean;
  /** Carries `X-Algo-Name` when the client has an `algoName` (every order path since 2026-04-01). */
  algoName: boolean;
  /** Counts against the combined order bucket (10/s, 500/min, 2000/30 min), not the standard one. */
  bucket: 'order';
}

const row = (
  method: OrderPathRow['method'],
  path: string,
  operation: OrderOperation,
  orderHost: boolean,
): OrderPathRow => Object.freeze({ method, path, operation, orderHost, algoName: true, bucket: 'order' });

/**
 * Every Upstox order path (reference §9, §12): place, modify, cancel in v2 and v3, multi place,
 * multi cancel, exit all positions, and GTT place/modify/cancel at `/v3/order/gtt/*`.
 */
export const ORDER_PATHS: readonly OrderPathRow[] = Object.freeze([
  row('POST', '/v2/order/place', 'place', true),
  row('PUT', '/v2/order/modify', 'modify', true),
  row('DELETE', '/v2/order/cancel', 'cancel', true),
  row('POST', '/v3/order/place', 'place', true),
  row('PUT', '/v3/order/modify', 'modify', true),
  row('DELETE', '/v3/order/cancel', 'cancel', true),
  row('POST', '/v2/order/multi/place', 'multi-place', false),
  row('DELETE', '/v2/order/multi/cancel', 'multi-cancel', false),
  row('POST', '/v2/order/positions/exit', 'exit-all', false),
  row('POST', '/v3/order/gtt/place', 'gtt-place', false),
  row('PUT', '/v3/order/gtt/modify', 'gtt-modify', false),
  row('DELETE', '/v3/order/gtt/cancel', 'gtt-cancel', false),
]);

// Keyed by path alone: each order path has one method, and a wrong method must still be
// throttled as an order (Upstox counts the call whatever it answers).
const BY_PATH: ReadonlyMap<string, OrderPathRow> = new Map(ORDER_PATHS.map((r) => [r.path, r]));

/** The row of `path` (no query, no origin; a trailing `/` ignored), or `undefined` for any other path. */
export function orderPathRow(path: string): OrderPathRow | undefined {
  const found = BY_PATH.get(path);
  if (found !== undefined || path.length < 2 || !path.endsWith('/')) return found;
  return BY_PATH.get(path.slice(0, -1));
}
