import type { InputError } from '@hft/errors';
import { describeType, invalidArgument } from '@hft/errors/assert';
import { fromIstFields, IST_OFFSET_MS } from './ist-offset.js';

/**
 * An instant as accepted by every function of this package:
 * - `number`: epoch milliseconds (finite, within the `Date` range of ±8.64e15);
 * - `Date`: a valid `Date`;
 * - `string`: ISO 8601 date-time WITH a `Z` or `±HH:MM` offset, e.g. `2026-11-27T03:30:00+05:30`.
 *   A naive string (no offset) is rejected: read those with {@link parseIstNaive}.
 */
export type InstantInput = number | Date | string;

/** Largest absolute epoch-ms value a `Date` can hold (ECMAScript time value range). */
const MAX_EPOCH_MS = 8.64e15;

// Hour 24 (ISO "end of day") and offsets beyond ±14:59 are legal for luxon but never written by
// Upstox, Python or us: rejecting them keeps garbage out of token records.
const DATE_TIME = '\\d{4}-\\d{2}-\\d{2}[Tt ](?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:[.,]\\d{1,9})?)?';
const OFFSET_ISO = new RegExp(`^${DATE_TIME}(?:[Zz]|[+-](?:0\\d|1[0-4])(?::?[0-5]\\d)?)$`);
const NAIVE_ISO = new RegExp(`^${DATE_TIME}$`);
/** Only text made of these characters is echoed in error messages (it cannot be a token or code). */
const DATE_LIKE = /^[0-9TtZz:.,+\- ]{1,40}$/;

// What was received, for the message: a date-like string or a number is shown (it cannot be a
// secret and it is what a caller needs to see); anything else only by its type.
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return DATE_LIKE.test(value) ? JSON.stringify(value) : `a ${value.length}-character string`;
  }
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return 'an invalid Date';
  return describeType(value);
}

function invalid(argument: string, expected: string, value: unknown, cause?: unknown): InputError {
  return invalidArgument(argument, expected, { got: describe(value), cause });
}

function checkedMs(ms: number, argument: string, value: unknown, expected: string): number {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_EPOCH_MS) throw invalid(argument, expected, value);
  return ms;
}

// The regexes above fixed the shape; this one only splits it into fields.
const FIELDS =
  /^(\d{4})-(\d{2})-(\d{2}).(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function parseIso(text: string, argument: string, expected: string): number {
  const m = FIELDS.exec(text);
  if (!m) throw invalid(argument, expected, text);
  // Digits past milliseconds are truncated (Python writes microseconds).
  const millisecond = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  let offsetMs = IST_OFFSET_MS; // naive text is IST wall time
  if (m[8] !== undefined) offsetMs = 0;
  else if (m[9] !== undefined) {
    const minutes = Number(m[10]) * 60 + Number(m[11] ?? '0');
    offsetMs = (m[9] === '-' ? -minutes : minutes) * 60_000;
  }
  const ms = fromIstFields(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? '0'),
    millisecond,
    offsetMs,
  );
  if (ms === undefined) throw invalid(argument, expected, text);
  return checkedMs(ms, argument, text, expected);
}

const INSTANT_EXPECTED =
  'epoch milliseconds (finite number), a valid Date, or an ISO 8601 date-time with an offset or Z (e.g. 2026-11-27T03:30:00+05:30)';

/**
 * Converts an {@link InstantInput} to epoch milliseconds, validating it.
 *
 * Numbers are returned unchanged (fractions are kept). ISO strings may use `T`, `t` or one space
 * between date and time, seconds and a fraction (up to 9 digits; digits past milliseconds are
 * truncated) are optional, and the offset is `Z`, `±HH`, `±HHMM` or `±HH:MM`.
 *
 * @param value the instant to convert.
 * @param argument name of the caller's argument, used in the error message. Default `'value'`.
 * @returns epoch milliseconds.
 * @throws InputError (`HFT_INPUT_INVALID`, `details.argument` = `argument`) for NaN, ±Infinity,
 *   numbers outside the `Date` range, invalid Dates, strings that are not ISO 8601 with an
 *   offset (including naive ISO strings and words like `'yesterday'`), and any other type.
 */
export function toEpochMs(value: InstantInput, argument = 'value'): number {
  if (typeof value === 'number') return checkedMs(value, argument, value, INSTANT_EXPECTED);
  if (typeof value === 'string') {
    if (!OFFSET_ISO.test(value)) throw invalid(argument, INSTANT_EXPECTED, value);
    return parseIso(value, argument, INSTANT_EXPECTED);
  }
  if (Object.prototype.toString.call(value) === '[object Date]') {
    return checkedMs(Date.prototype.getTime.call(value), argument, value, INSTANT_EXPECTED);
  }
  throw invalid(argument, INSTANT_EXPECTED, value);
}

const NAIVE_EXPECTED =
  'an ISO 8601 date-time without offset, read as IST (e.g. 2025-01-15T10:30:00 or 2025-01-15T10:30:00.123456)';

/**
 * Reads a naive ISO 8601 date-time (no offset), as written by the original Python module's
 * `datetime.isoformat()`, as wall-clock time in Asia/Kolkata.
 *
 * Accepts `YYYY-MM-DDTHH:MM[:SS[.fraction]]` (`T` or one space); a fraction of up to 9 digits is
 * truncated to milliseconds (`.123456` -> 123 ms).
 *
 * @param text the naive date-time.
 * @param argument name used in the error message. Default `'value'`.
 * @returns epoch milliseconds.
 * @throws InputError (`HFT_INPUT_INVALID`) when `text` is not a string, carries an offset, or is
 *   not a valid date-time (e.g. month 13, 30 February).
 */
export function parseIstNaive(text: string, argument = 'value'): number {
  if (typeof text !== 'string' || !NAIVE_ISO.test(text)) throw invalid(argument, NAIVE_EXPECTED, text);
  return parseIso(text, argument, NAIVE_EXPECTED);
}

/**
 * Reads a stored timestamp that may or may not carry an offset: with `Z`/offset it is that
 * instant (as {@link toEpochMs}); without one it is IST wall time (as {@link parseIstNaive}).
 * Meant for files that mix both styles (old Python files are naive, ours carry `+05:30`).
 *
 * @param text ISO 8601 date-time, with or without offset.
 * @param argument name used in the error message. Default `'value'`.
 * @returns epoch milliseconds.
 * @throws InputError (`HFT_INPUT_INVALID`) when `text` is neither form.
 */
export function parseIsoAsIst(text: string, argument = 'value'): number {
  if (typeof text === 'string' && NAIVE_ISO.test(text)) return parseIstNaive(text, argument);
  if (typeof text === 'string' && OFFSET_ISO.test(text)) return toEpochMs(text, argument);
  throw invalid(argument, 'an ISO 8601 date-time, with an offset or naive IST', text);
}
