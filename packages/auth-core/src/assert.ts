import { InputError } from '@hft/errors';

// Small narrowing helpers for public-function arguments: each throws an InputError that names
// the argument, so a caller's mistake reads as "tokenRecord.userId must be a non-empty string".

/** Throws unless `value` is a non-empty string. */
export function assertNonEmptyString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InputError(`${argument} must be a non-empty string`, { details: { argument } });
  }
}

/** Throws unless `value` is a finite number (optionally > 0). */
export function assertFiniteNumber(
  value: unknown,
  argument: string,
  { positive = false }: { positive?: boolean } = {},
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new InputError(`${argument} must be a finite${positive ? ' positive' : ''} number`, {
      details: { argument },
    });
  }
}

/** Throws unless `value` is a function. */
export function assertFunction(
  value: unknown,
  argument: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw new InputError(`${argument} must be a function`, { details: { argument } });
  }
}

/** Throws unless `value` is an array of strings. */
export function assertStringArray(value: unknown, argument: string): asserts value is string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new InputError(`${argument} must be an array of strings`, { details: { argument } });
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

/** Throws unless `value` is undefined or a boolean. */
export function assertOptionalBoolean(
  value: unknown,
  argument: string,
): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InputError(`${argument} must be a boolean`, { details: { argument } });
  }
}

/** True for a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
