// `@hft/errors/assert`: the one family of argument checks (oauth4webapi's model). Each helper
// narrows its value or throws an `InputError` (`HFT_INPUT_INVALID`) whose message names the
// argument, "options.dir must be a non-empty string; got a number", and whose
// `details.argument` is that name. Messages say what a value is, never what it holds: an
// argument may be a secret.
import { InputError } from './classes.js';

/** Options of {@link invalidArgument}. */
export interface InvalidArgumentOptions {
  /** What was received, already safe to print (see {@link describeType}); appended as `; got ...`. */
  got?: string;
  /** The underlying failure, kept as the error's `cause`. */
  cause?: unknown;
}

/**
 * The `InputError` for an argument with a problem of its own wording: `<argument> <problem>`,
 * e.g. `argumentError('apps[0].ownerUserId', 'names no configured user')`.
 */
export function argumentError(
  argument: string,
  problem: string,
  options: { cause?: unknown } = {},
): InputError {
  return new InputError(`${argument} ${problem}`, {
    details: { argument },
    ...(options.cause !== undefined && { cause: options.cause }),
  });
}

/**
 * The `InputError` for an argument that is not what it must be:
 * `<argument> must be <expected>[; got <options.got>]`.
 */
export function invalidArgument(
  argument: string,
  expected: string,
  options: InvalidArgumentOptions = {},
): InputError {
  const got = options.got === undefined ? '' : `; got ${options.got}`;
  return argumentError(argument, `must be ${expected}${got}`, options);
}

/**
 * What kind of value `value` is, for a message: `null`, `no value`, `an array`, `an empty
 * string`, `a string`, `NaN`, `a number`, `a function`, `an object`... Never the value itself.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  // Not the word "undefined": a missing value reads better as "no value" in a sentence.
  if (value === undefined) return 'no value';
  if (Array.isArray(value)) return 'an array';
  if (value === '') return 'an empty string';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

const fail = (argument: string, expected: string, value: unknown): never => {
  throw invalidArgument(argument, expected, { got: describeType(value) });
};

/** True for a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Throws unless `value` is an object (not null, not an array).
 * @param expected how the message names what is wanted. Default `an object`.
 */
export function assertPlainObject(
  value: unknown,
  argument: string,
  expected = 'an object',
): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) fail(argument, expected, value);
}

/**
 * Throws unless `value` is a non-empty string.
 * @param expected how the message names what is wanted. Default `a non-empty string`.
 */
export function assertNonEmptyString(
  value: unknown,
  argument: string,
  expected = 'a non-empty string',
): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) fail(argument, expected, value);
}

/**
 * Throws unless `value` is a string matched by `pattern`. A string that does not match is
 * reported as such, never echoed.
 * @param expected how the message names what is wanted, e.g. `6 digits`.
 */
export function assertMatches(
  value: unknown,
  argument: string,
  pattern: RegExp,
  expected: string,
): asserts value is string {
  if (typeof value === 'string' && pattern.test(value)) return;
  const got = typeof value === 'string' && value !== '' ? 'a string of another form' : describeType(value);
  throw invalidArgument(argument, expected, { got });
}

/** Options of {@link assertFiniteNumber}. */
export interface NumberCheck {
  /** Reject 0 and below. */
  positive?: boolean;
  /** Smallest value accepted (inclusive). */
  min?: number;
  /** Largest value accepted (inclusive). */
  max?: number;
  /** Accept whole numbers only. */
  integer?: boolean;
  /** How the message names what is wanted; default built from the other options. */
  expected?: string;
}

function numberExpected({ positive, min, max, integer }: NumberCheck): string {
  const kind = integer ? 'integer' : 'number';
  if (min !== undefined && max !== undefined) return `a finite ${kind} from ${min} to ${max}`;
  if (min !== undefined) return `a finite ${kind} >= ${min}`;
  if (max !== undefined) return `a finite ${kind} <= ${max}`;
  return `a finite${positive ? ' positive' : ''} ${kind}`;
}

/**
 * Throws unless `value` is a finite number within the bounds of `check`.
 * Out-of-range numbers are reported with their value (a number is never a secret).
 */
export function assertFiniteNumber(
  value: unknown,
  argument: string,
  check: NumberCheck = {},
): asserts value is number {
  const { positive = false, min, max, integer = false } = check;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (!positive || value > 0) &&
    (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (ok) return;
  const expected = check.expected ?? numberExpected(check);
  const got = typeof value === 'number' && Number.isFinite(value) ? String(value) : describeType(value);
  throw invalidArgument(argument, expected, { got });
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(value: unknown, argument: string): asserts value is boolean {
  if (typeof value !== 'boolean') fail(argument, 'a boolean', value);
}

/** Throws unless `value` is undefined or a boolean. */
export function assertOptionalBoolean(
  value: unknown,
  argument: string,
): asserts value is boolean | undefined {
  if (value !== undefined) assertBoolean(value, argument);
}

/**
 * Throws unless `value` is a function.
 * @param expected how the message names what is wanted. Default `a function`.
 */
export function assertFunction(
  value: unknown,
  argument: string,
  expected = 'a function',
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') fail(argument, expected, value);
}

/** Throws unless `value` is an array of strings. */
export function assertStringArray(value: unknown, argument: string): asserts value is string[] {
  if (!Array.isArray(value)) fail(argument, 'an array of strings', value);
  const items = value as unknown[];
  const bad = items.findIndex((item) => typeof item !== 'string');
  if (bad >= 0) {
    throw invalidArgument(argument, 'an array of strings', {
      got: `${describeType(items[bad])} at [${bad}]`,
    });
  }
}

/** Throws unless `value` is undefined or passes `check`. */
export function assertOptional<T>(
  value: unknown,
  argument: string,
  check: (v: unknown, argument: string) => asserts v is T,
): asserts value is T | undefined {
  if (value !== undefined) check(value, argument);
}
