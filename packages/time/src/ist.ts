import { assertFiniteNumber } from '@hft/errors/assert';
import { type InstantInput, toEpochMs } from './instant.js';
import { DAY_MS, type IstWallTime, istDayStart, istFields, istIso } from './ist-offset.js';

export type { IstWallTime } from './ist-offset.js';

/**
 * ISO 8601 text of the instant in IST with milliseconds and the `+05:30` offset, e.g.
 * `2026-11-27T03:30:00.000+05:30` (the on-disk format of token records).
 *
 * @param ms the instant (see {@link InstantInput}).
 * @throws InputError (`HFT_INPUT_INVALID`, argument `ms`) when the instant is invalid.
 */
export function toIstIso(ms: InstantInput): string {
  return istIso(toEpochMs(ms, 'ms'));
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
  assertFiniteNumber(value, argument, {
    integer: true,
    min: 0,
    max,
    expected: `an integer from 0 to ${max}`,
  });
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
