import type { TokenRecord } from '@hft/auth-core/store';
import { InputError } from '@hft/errors';

/**
 * Smallest Redis TTL given to a record, in ms. A record whose expiry plus grace has already
 * passed is still stored (the write succeeds and other processes see it, and auth-core decides
 * it is expired), and Redis removes it after this minute instead of at once.
 */
export const MIN_RECORD_TTL_MS = 60_000;

/**
 * The Redis TTL of `record` in whole ms: the last expiry of the tokens it holds (a credential set
 * lives as long as its longest-lived kind) `+ graceMs - nowMs`, at least
 * {@link MIN_RECORD_TTL_MS}, so a dead token cleans itself up and a TTL is never zero or negative.
 * @throws InputError when `nowMs` (the clock's answer) is not a finite number.
 */
export function recordTtlMs(record: TokenRecord, graceMs: number, nowMs: number): number {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw new InputError('clock.now() must return a finite number of epoch milliseconds', {
      details: { argument: 'clock' },
    });
  }
  const last = Math.max(...Object.values(record.tokens).map((held) => held.expiresAt));
  return Math.max(MIN_RECORD_TTL_MS, Math.ceil(last + graceMs - nowMs));
}
