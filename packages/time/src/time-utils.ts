import { describeType, invalidArgument } from '@hft/errors/assert';
import { DateTime } from 'luxon';
import { type Clock, readClock, systemClock } from './clock.js';
import { isExpired, timeUntilExpiry, tokenExpiry } from './expiry.js';
import { type InstantInput, toEpochMs } from './instant.js';
import { fromDateTime, toDateTime } from './luxon-view.js';

/**
 * The original Python `TimeUtils` class, with camelCase names, over this package's functions.
 * New code can call the functions directly; this facade eases porting code written against the
 * Python module. Every method takes an optional {@link Clock} (default {@link systemClock}) and
 * throws InputError (`HFT_INPUT_INVALID`, naming the argument) on bad input.
 */
export const TimeUtils = Object.freeze({
  /**
   * Expiry of a token issued at `issuedAt` (03:30 IST rule, see {@link tokenExpiry}).
   *
   * @param issuedAt issue instant. Default: `clock.now()`.
   * @param clock used only when `issuedAt` is omitted. Default {@link systemClock}.
   * @returns the expiry as a `Date`.
   */
  getTokenExpiryTime(issuedAt?: InstantInput, clock: Clock = systemClock): Date {
    return new Date(tokenExpiry(issuedAt === undefined ? readClock(clock) : issuedAt));
  },

  /**
   * True when `now + skewMs >= expiresAt` (see {@link isExpired}).
   *
   * @param expiresAt expiry instant.
   * @param clock source of now. Default {@link systemClock}.
   * @param skewMs safety margin in milliseconds, >= 0. Default 0.
   */
  isTokenExpired(expiresAt: InstantInput, clock: Clock = systemClock, skewMs = 0): boolean {
    return isExpired(expiresAt, { clock, skewMs });
  },

  /**
   * Time left until `expiresAt`, in **milliseconds** (the Python original returned a `timedelta`),
   * 0 when already expired, never negative (see {@link timeUntilExpiry}).
   *
   * @param expiresAt expiry instant.
   * @param clock source of now. Default {@link systemClock}.
   */
  getTimeUntilExpiry(expiresAt: InstantInput, clock: Clock = systemClock): number {
    return timeUntilExpiry(expiresAt, { clock });
  },

  /**
   * Epoch milliseconds of a `Date` or luxon `DateTime`.
   *
   * @param d a valid `Date` or `DateTime` (argument name `d` in errors).
   */
  datetimeToTimestampMs(d: Date | DateTime): number {
    if (DateTime.isDateTime(d)) return fromDateTime(d);
    if (d instanceof Date) return toEpochMs(d, 'd');
    throw invalidArgument('d', 'a valid Date or luxon DateTime', { got: describeType(d) });
  },

  /**
   * A `Date` for epoch milliseconds (a `Date` has no zone; format it with {@link formatIst} or
   * {@link toIstIso} to show IST).
   *
   * @param ms epoch milliseconds, finite (argument name `ms` in errors).
   */
  timestampMsToDatetime(ms: number): Date {
    if (typeof ms !== 'number') {
      throw invalidArgument('ms', 'epoch milliseconds (a finite number)', { got: describeType(ms) });
    }
    return new Date(toEpochMs(ms, 'ms'));
  },

  /**
   * The current time as a luxon `DateTime` in Asia/Kolkata.
   *
   * @param clock source of now. Default {@link systemClock}.
   */
  getCurrentIstTime(clock: Clock = systemClock): DateTime<true> {
    return toDateTime(readClock(clock));
  },
});
