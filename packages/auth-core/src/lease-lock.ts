import { ErrorCodes, StorageError } from '@hft/errors';
import { assertFiniteNumber, assertFunction, assertNonEmptyString } from '@hft/errors/assert';

/** The two primitives a backend provides so {@link withLease} can build `withLock` on them. */
export interface LeasePrimitives {
  /** Backend name for error messages. */
  backend: string;
  /**
   * Takes the lease on `key` for `ttlMs` if it is free or its previous lease ran out; `true`
   * when taken. `owner` is unique to this attempt so that release never frees someone else's.
   */
  tryAcquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Frees the lease only if `owner` still holds it (a holder whose lease ran out frees nothing). */
  release(key: string, owner: string): Promise<void>;
}

/** Options of {@link withLease}. */
export interface WithLeaseOptions {
  /** Total time to keep trying, in ms. Default: 2 x `ttlMs`. */
  waitMs?: number;
  /** First retry delay in ms (doubles up to `maxRetryMs`, with jitter). Default 5. */
  minRetryMs?: number;
  /** Largest retry delay in ms. Default 50. */
  maxRetryMs?: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A unique lease owner id: `<pid>:<random>`. */
export function newLeaseOwner(): string {
  // node:crypto is loaded here rather than imported: loading it costs a few ms of start-up,
  // and a short command that only reads a plain record (`hft token`) never needs it.
  return `${process.pid}:${process.getBuiltinModule('node:crypto').randomBytes(9).toString('base64url')}`;
}

/**
 * Runs `fn` under a lease taken with `primitives`: retries with capped exponential backoff and
 * jitter until the lease is taken or `waitMs` passes (then `StorageError`
 * `HFT_STORAGE_LOCK_TIMEOUT`). The lease is released after `fn` settles, whatever its outcome;
 * `fn`'s own error passes through unchanged. Waiting uses real timers: a lease is wall-clock
 * time shared with other processes.
 */
export async function withLease<T>(
  primitives: LeasePrimitives,
  key: string,
  ttlMs: number,
  fn: () => Promise<T>,
  options: WithLeaseOptions = {},
): Promise<T> {
  assertNonEmptyString(key, 'key');
  assertFiniteNumber(ttlMs, 'ttlMs', { positive: true });
  assertFunction(fn, 'fn');
  const waitMs = options.waitMs ?? ttlMs * 2;
  assertFiniteNumber(waitMs, 'options.waitMs');
  const maxRetry = options.maxRetryMs ?? 50;
  let retry = options.minRetryMs ?? 5;
  const owner = newLeaseOwner();
  const started = performance.now();
  for (;;) {
    if (await primitives.tryAcquire(key, owner, ttlMs)) break;
    const waited = performance.now() - started;
    if (waited >= waitMs) {
      throw new StorageError(
        `${primitives.backend} store: could not take the lock on "${key}" within ${Math.round(waitMs)} ms`,
        {
          backend: primitives.backend,
          code: ErrorCodes.STORAGE_LOCK_TIMEOUT,
          details: { backend: primitives.backend, operation: 'lock', key },
        },
      );
    }
    await delay(Math.min(retry * (0.5 + Math.random()), waitMs - waited));
    retry = Math.min(retry * 2, maxRetry);
  }
  try {
    return await fn();
  } finally {
    await primitives.release(key, owner);
  }
}
