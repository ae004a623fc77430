import { assertFiniteNumber } from '@hft/errors/assert';
import { type Clock, readClock } from './clock.js';
import { type InstantInput, toEpochMs } from './instant.js';
import { nextIstTime } from './ist.js';

/** IST hour of the daily Upstox token expiry. */
export const TOKEN_EXPIRY_HOUR_IST = 3;
/** IST minute of the daily Upstox token expiry. */
export const TOKEN_EXPIRY_MINUTE_IST = 30;

/** Options of {@link isExpired}. */
export interface IsExpiredOptions {
  /** Source of "now". Default {@link systemClock}. */
  clock?: Clock;
  /**
   * Safety margin in milliseconds: the token counts as expired this long before `expiresAt`.
   * Finite and >= 0. Default 0.
   */
  skewMs?: number;
}

/** Options of {@link timeUntilExpiry}. */
export interface TimeUntilExpiryOptions {
  /** Source of "now". Default {@link systemClock}. */
  clock?: Clock;
}

/**
 * Upstox expiry of an access token issued at `issuedAt`: the first 03:30:00.000 Asia/Kolkata
 * strictly after it. Issued in [00:00, 03:30) IST -> 03:30 the same IST day; issued at or after
 * 03:30:00.000 -> 03:30 the next IST day. Independent of the host time zone.
 *
 * @param issuedAt when the token was issued (see {@link InstantInput}).
 * @returns expiry in epoch milliseconds, in `(issuedAt, issuedAt + 24 h]`.
 * @throws InputError (`HFT_INPUT_INVALID`, argument `issuedAt`) when `issuedAt` is invalid.
 */
export function tokenExpiry(issuedAt: InstantInput): number {
  const issued = toEpochMs(issuedAt, 'issuedAt');
  return nextIstTime(issued, TOKEN_EXPIRY_HOUR_IST, TOKEN_EXPIRY_MINUTE_IST);
}

/**
 * True when the token is expired: `now + skewMs >= expiresAt` (so exactly at `expiresAt` it is
 * already expired).
 *
 * @param expiresAt the expiry instant (see {@link InstantInput}).
 * @param options `clock` (default {@link systemClock}) and `skewMs` (default 0, must be >= 0).
 * @throws InputError (`HFT_INPUT_INVALID`) naming `expiresAt`, `options.skewMs`, `clock` or
 *   `clock.now()` when one of them is invalid.
 */
export function isExpired(expiresAt: InstantInput, options: IsExpiredOptions = {}): boolean {
  const expires = toEpochMs(expiresAt, 'expiresAt');
  const skewMs = options.skewMs ?? 0;
  assertFiniteNumber(skewMs, 'options.skewMs', { min: 0 });
  return readClock(options.clock) + skewMs >= expires;
}

/**
 * Milliseconds left until `expiresAt`; 0 when already expired (never negative).
 *
 * @param expiresAt the expiry instant (see {@link InstantInput}).
 * @param options `clock` (default {@link systemClock}).
 * @throws InputError (`HFT_INPUT_INVALID`) naming `expiresAt`, `clock` or `clock.now()` when invalid.
 */
export function timeUntilExpiry(expiresAt: InstantInput, options: TimeUntilExpiryOptions = {}): number {
  const expires = toEpochMs(expiresAt, 'expiresAt');
  return Math.max(0, expires - readClock(options.clock));
}
