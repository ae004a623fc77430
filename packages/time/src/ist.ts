import { InputError } from '@hft/errors';
import { DateTime } from 'luxon';
import { type InstantInput, toEpochMs } from './instant.js';
import { DAY_MS, istDayStart, istFields, istIso } from './ist-offset.js';
import { IST_ZONE } from './zone.js';

/** Wall-clock reading of an instant in Asia/Kolkata. `month` is 1-12, like luxon (not `Date`). */
export interface IstWallTime {
  year: number;
  /** 1 = January ... 12 = December. */
  month: number;
  /** Day of the month, 1-31. */
  day: number;
  /** 0-23. */
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Default {@link formatIst} pattern (luxon tokens): `27 Nov 2026, 03:30:00 IST`. */
export const IST_DISPLAY_FORMAT = "dd LLL yyyy, HH:mm:ss 'IST'";

function inIst(ms: number): DateTime<true> {
  // Validated epoch ms always yields a valid DateTime; the guard keeps the type honest.
  const dt = DateTime.fromMillis(ms, { zone: IST_ZONE, locale: 'en-US' });
  if (!dt.isValid) throw new InputError(`instant ${ms} cannot be represented`, { details: {} });
  return dt;
}

/**
 * The instant as a luxon `DateTime` in Asia/Kolkata (locale `en-US`), whatever the host zone.
 *
 * @param ms the instant (see {@link InstantInput}).
 * @throws InputError (`HFT_INPUT_INVALID`, argument `ms`) when the instant is invalid.
 */
export function toDateTime(ms: InstantInput): DateTime<true> {
  return inIst(toEpochMs(ms, 'ms'));
}

/**
 * Epoch milliseconds of a luxon `DateTime` (any zone).
 *
 * @param dt a valid luxon `DateTime`.
 * @throws InputError (`HFT_INPUT_INVALID`, argument `dt`) when `dt` is not a valid `DateTime`.
 */
export function fromDateTime(dt: DateTime): number {
  if (!DateTime.isDateTime(dt) || !dt.isValid) {
    throw new InputError('dt must be a valid luxon DateTime', { details: { argument: 'dt' } });
  }
  return dt.toMillis();
}

/**
 * ISO 8601 text of the instant in IST with milliseconds and the `+05:30` offset, e.g.
 * `2026-11-27T03:30:00.000+05:30` (the on-disk format of token records).
 *
 * @param ms the instant (see {@link InstantInput}).
 * @throws InputError (`HFT_INPUT_INVALID`, argument `ms`) when the instant is invalid.
 */
export function toIstIso(ms: InstantInput): string {
  const value = toEpochMs(ms, 'ms');
  const year = istFields(value).year;
  // Outside years 0000-9999 ISO needs the expanded year form: leave that to luxon.
  if (year < 0 || year > 9999)
    return inIst(value).toISO({ includeOffset: true, suppressMilliseconds: false });
  return istIso(value);
}

/**
 * Human-readable IST text of the instant, in English whatever the host locale.
 *
 * @param ms the instant (see {@link InstantInput}).
 * @param format a luxon `toFormat` pattern. Default {@link IST_DISPLAY_FORMAT}
 *   (`27 Nov 2026, 03:30:00 IST`); quote literal text with single quotes.
 * @throws InputError (`HFT_INPUT_INVALID`) when the instant is invalid (argument `ms`) or `format`
 *   is not a non-empty string (argument `format`).
 */
export function formatIst(ms: InstantInput, format: string = IST_DISPLAY_FORMAT): string {
  if (typeof format !== 'string' || format.length === 0) {
    throw new InputError('format must be a non-empty luxon format string', {
      details: { argument: 'format' },
    });
  }
  return toDateTime(ms).toFormat(format);
}

/**
 * Wall-clock parts of the instant in Asia/Kolkata (month 1-12).
 *
 * @param ms the instant (see {@link InstantInput}).
 * @throws InputError (`HFT_INPUT_INVALID`, argument `ms`) when the instant is invalid.
 */
export function istWallTime(ms: InstantInput): IstWallTime {
  return istFields(toEpochMs(ms, 'ms'));
}

function checkPart(value: number, argument: string, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InputError(`${argument} must be an integer from 0 to ${max}; got ${String(value)}`, {
      details: { argument },
    });
  }
}

/**
 * The first instant strictly after `after` whose IST wall time is `hour:minute:00.000`: the next
 * run of an "every day at HH:MM IST" schedule. If `after` is exactly on the mark, the result is
 * the next day's mark (24 h later).
 *
 * @param after the instant to start from (see {@link InstantInput}).
 * @param hour IST hour, integer 0-23.
 * @param minute IST minute, integer 0-59.
 * @returns epoch milliseconds, in `(after, after + 24 h]`.
 * @throws InputError (`HFT_INPUT_INVALID`) naming `after`, `hour` or `minute` when invalid.
 */
export function nextIstTime(after: InstantInput, hour: number, minute: number): number {
  const from = toEpochMs(after, 'after');
  checkPart(hour, 'hour', 23);
  checkPart(minute, 'minute', 59);
  const sameDay = istDayStart(from) + (hour * 60 + minute) * 60_000;
  return sameDay > from ? sameDay : sameDay + DAY_MS;
}
