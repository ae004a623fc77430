import { InputError } from '@hft/errors';
import { expect } from 'vitest';

/** IST is UTC+05:30 with no DST since 1945; tests compute expectations from this, not from luxon. */
export const IST_OFFSET_MS = 5.5 * 3_600_000;
export const DAY_MS = 86_400_000;
export const EXPIRY_OF_DAY_MS = 3.5 * 3_600_000;

/** Epoch ms of an IST wall time (month 1-12), computed with plain UTC arithmetic. */
export function istMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - IST_OFFSET_MS;
}

/** Milliseconds since IST midnight of the instant, by arithmetic (an oracle independent of luxon). */
export function istMsOfDay(epochMs: number): number {
  return (((epochMs + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
}

/** Runs `fn`, asserting it throws InputError / HFT_INPUT_INVALID naming `argument`. */
export function expectInputError(fn: () => unknown, argument: string): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an InputError to be thrown').toBeInstanceOf(InputError);
  const error = caught as InputError;
  expect(error.code).toBe('HFT_INPUT_INVALID');
  expect(error.details.argument).toBe(argument);
  expect(error.message).toContain(argument);
  return error;
}
