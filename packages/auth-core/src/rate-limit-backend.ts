// The seam between the API client's shared rate limits and a store that can hold counters for
// every process of a user (Redis). auth-core keeps the window rules (client/shared-throttle.ts);
// a backend only counts. No backend library is imported here.

/**
 * Counters shared by every process that uses the same backend, for rate limits per user
 * across processes and machines. `TokenStore.rateLimits` offers one when the store can (the
 * Redis store does; file, SQLite and memory stores do not, and the client then keeps
 * per-process buckets).
 */
export interface RateLimitBackend {
  /** Backend name for messages (`redis`). */
  readonly name: string;
  /**
   * Counts one request against the counter `key`, which allows `limit` requests and disappears
   * `ttlMs` after its first count. Resolves `true` when the request was within the limit (it is
   * counted), `false` when the limit was already reached.
   * @throws StorageError `HFT_STORAGE_UNAVAILABLE` when the backend cannot be reached; the client
   *   then fails open or closed as configured.
   */
  consume(key: string, limit: number, ttlMs: number): Promise<boolean>;
}
