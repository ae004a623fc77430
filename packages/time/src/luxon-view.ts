import { InputError } from '@hft/errors';
import { assertNonEmptyString, describeType, invalidArgument } from '@hft/errors/assert';
import { DateTime } from 'luxon';
import { type InstantInput, toEpochMs } from './instant.js';
import { IST_ZONE } from './zone.js';

// The luxon side of this package: DateTime views and formatting. Kept apart from the IST
// arithmetic so that code that only needs expiry and timestamps never loads luxon.

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
    throw invalidArgument('dt', 'a valid luxon DateTime', { got: describeType(dt) });
  }
  return dt.toMillis();
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
  assertNonEmptyString(format, 'format', 'a non-empty luxon format string');
  return toDateTime(ms).toFormat(format);
}
