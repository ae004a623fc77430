import { describe, expect, it } from 'vitest';
import {
  argumentError,
  assertBoolean,
  assertFiniteNumber,
  assertFunction,
  assertMatches,
  assertNonEmptyString,
  assertOptional,
  assertOptionalBoolean,
  assertPlainObject,
  assertStringArray,
  describeType,
  invalidArgument,
  isPlainObject,
} from '../src/assert.js';
import { ErrorCodes, InputError } from '../src/index.js';

/** Runs `fn`, which must throw an InputError; returns it. */
function thrown(fn: () => void): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('@hft/errors/assert', () => {
  it('builds coded errors that name the argument', () => {
    const error = invalidArgument('options.dir', 'a directory path', { got: 'a number' });
    expect(error.code).toBe(ErrorCodes.INPUT_INVALID);
    expect(error.message).toBe('options.dir must be a directory path; got a number');
    expect(error.details).toEqual({ argument: 'options.dir' });
    const cause = new Error('inner');
    const own = argumentError('apps[0].ownerUserId', 'names no configured user', { cause });
    expect(own.message).toBe('apps[0].ownerUserId names no configured user');
    expect(own.cause).toBe(cause);
    expect(invalidArgument('x', 'a thing').message).toBe('x must be a thing');
  });

  it('describes what a value is, never what it holds', () => {
    expect(
      [null, undefined, [], '', 'sekret-token', Number.NaN, 7, true, {}, () => 1, 1n].map(describeType),
    ).toEqual([
      'null',
      'no value',
      'an array',
      'an empty string',
      'a string',
      'NaN',
      'a number',
      'a boolean',
      'an object',
      'a function',
      'a bigint',
    ]);
  });

  it('narrows good values and rejects bad ones with the argument named', () => {
    const cases: Array<[() => void, string]> = [
      [() => assertNonEmptyString('', 'name'), 'name must be a non-empty string; got an empty string'],
      [
        () => assertNonEmptyString(3, 'dir', 'a directory path'),
        'dir must be a directory path; got a number',
      ],
      [
        () => assertMatches('12345', 'otp', /^\d{6}$/, '6 digits'),
        'otp must be 6 digits; got a string of another form',
      ],
      [() => assertMatches(null, 'otp', /^\d{6}$/, '6 digits'), 'otp must be 6 digits; got null'],
      [() => assertFiniteNumber(Number.POSITIVE_INFINITY, 'ms'), 'ms must be a finite number; got a number'],
      [() => assertFiniteNumber(0, 'ms', { positive: true }), 'ms must be a finite positive number; got 0'],
      [
        () => assertFiniteNumber(1.5, 'n', { integer: true, min: 0, max: 9 }),
        'n must be a finite integer from 0 to 9; got 1.5',
      ],
      [
        () => assertFiniteNumber(-1, 'n', { min: 0, expected: 'a number of ms >= 0' }),
        'n must be a number of ms >= 0; got -1',
      ],
      [() => assertBoolean('yes', 'poa'), 'poa must be a boolean; got a string'],
      [() => assertOptionalBoolean(0, 'poa'), 'poa must be a boolean; got a number'],
      [() => assertFunction({}, 'onChange'), 'onChange must be a function; got an object'],
      [() => assertStringArray(['a', 2], 'list'), 'list must be an array of strings; got a number at [1]'],
      [() => assertStringArray('a', 'list'), 'list must be an array of strings; got a string'],
      [() => assertPlainObject([], 'options'), 'options must be an object; got an array'],
      [
        () => assertOptional(5, 'name', assertNonEmptyString),
        'name must be a non-empty string; got a number',
      ],
    ];
    for (const [fn, message] of cases) {
      const error = thrown(fn);
      expect(error.message).toBe(message);
      expect(error.details?.argument).toBe(message.split(' ')[0]);
    }
    expect(() => {
      assertNonEmptyString('a', 'x');
      assertMatches('123456', 'otp', /^\d{6}$/, '6 digits');
      assertFiniteNumber(5, 'n', { integer: true, min: 5, max: 5 });
      assertBoolean(false, 'b');
      assertOptionalBoolean(undefined, 'b');
      assertFunction(() => 1, 'f');
      assertStringArray([], 'l');
      assertPlainObject({}, 'o');
      assertOptional(undefined, 'o', assertNonEmptyString);
    }).not.toThrow();
    expect([isPlainObject({}), isPlainObject(null), isPlainObject([])]).toEqual([true, false, false]);
  });

  it('never echoes a string it rejects', () => {
    const secret = 'client-secret-value-1234';
    for (const fn of [
      () => assertMatches(secret, 'clientSecret', /^\d+$/, 'digits'),
      () => assertFiniteNumber(secret, 'n'),
      () => assertBoolean(secret, 'b'),
      () => assertStringArray([secret, 1], 'l'),
    ]) {
      expect(thrown(fn).message).not.toContain(secret);
    }
  });
});
