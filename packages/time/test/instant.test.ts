import { Settings } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  isExpired,
  parseIsoAsIst,
  parseIstNaive,
  timeUntilExpiry,
  toDateTime,
  toEpochMs,
  toIstIso,
  tokenExpiry,
} from '../src/index.js';
import { expectInputError, istMs } from './helpers.js';

describe('toEpochMs: accepted inputs', () => {
  const t = istMs(2026, 1, 5, 10, 0);

  it('passes finite numbers through', () => {
    expect(toEpochMs(t)).toBe(t);
    expect(toEpochMs(0)).toBe(0);
    expect(toEpochMs(-1)).toBe(-1);
    expect(toEpochMs(8.64e15)).toBe(8.64e15);
  });

  it('reads valid Dates', () => {
    expect(toEpochMs(new Date(t))).toBe(t);
  });

  it.each([
    ['2026-01-05T10:00:00+05:30'],
    ['2026-01-05T10:00:00.000+05:30'],
    ['2026-01-05T10:00+05:30'],
    ['2026-01-05T10:00:00+0530'],
    ['2026-01-05T04:30:00Z'],
    ['2026-01-05T04:30:00z'],
    ['2026-01-05t04:30:00Z'],
    ['2026-01-05 10:00:00+05:30'],
    ['2026-01-05T04:30:00+00'],
    ['2026-01-04T23:30:00-05:00'],
    ['2026-01-05T18:15:00+13:45'],
    ['2026-01-05T04:30:00.000000Z'],
    ['2026-01-05T04:30:00,000Z'],
  ])('reads ISO 8601 with an offset: %s', (text) => {
    expect(toEpochMs(text)).toBe(t);
  });

  it('truncates fractions past milliseconds', () => {
    expect(toEpochMs('2026-01-05T04:30:00.123987Z')).toBe(t + 123);
  });
});

/** Values that are not instants, with a label for the test name. */
const BAD: Array<[string, unknown]> = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['beyond the Date range', 8.64e15 + 1],
  ['invalid Date', new Date('not a date')],
  ["'yesterday'", 'yesterday'],
  ['empty string', ''],
  ['naive ISO', '2025-01-15T10:30:00'],
  ['naive ISO with microseconds', '2025-01-15T10:30:00.123456'],
  ['date only', '2025-01-15'],
  ['month 13', '2025-13-01T00:00:00Z'],
  ['30 February', '2025-02-30T00:00:00Z'],
  ['hour 24', '2025-01-15T24:00:00Z'],
  ['offset out of range', '2025-01-15T10:00:00+25:00'],
  ['epoch digits as a string', '1767587400000'],
  ['RFC 2822 text', 'Mon, 05 Jan 2026 04:30:00 GMT'],
  ['null', null],
  ['undefined', undefined],
  ['boolean', true],
  ['plain object', { now: 1 }],
  ['array', [2026, 1, 5]],
  ['bigint', 1_767_587_400_000n],
  ['symbol', Symbol('t')],
  ['luxon DateTime (not an InstantInput)', toDateTime(0)],
];

describe('toEpochMs: bad input throws InputError naming the argument', () => {
  it.each(BAD)('%s', (_label, value) => {
    expectInputError(() => toEpochMs(value as never, 'issuedAt'), 'issuedAt');
    expectInputError(() => toEpochMs(value as never), 'value');
  });

  it('public functions name their own parameter', () => {
    for (const [, value] of BAD) {
      expectInputError(() => tokenExpiry(value as never), 'issuedAt');
      expectInputError(() => isExpired(value as never), 'expiresAt');
      expectInputError(() => timeUntilExpiry(value as never), 'expiresAt');
      expectInputError(() => toIstIso(value as never), 'ms');
    }
  });

  it('words the rest as the shared argument checks do: the kind of value received', () => {
    expect(expectInputError(() => toEpochMs({} as never, 'issuedAt'), 'issuedAt').message).toMatch(
      /; got an object$/,
    );
    expect(expectInputError(() => toEpochMs(undefined as never, 'issuedAt'), 'issuedAt').message).toMatch(
      /; got no value$/,
    );
  });

  it('echoes date-like text but never other strings (they could be a token or code)', () => {
    const naive = expectInputError(() => toEpochMs('2025-01-15T10:30:00', 'issuedAt'), 'issuedAt');
    expect(naive.message).toContain('"2025-01-15T10:30:00"');
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';
    const hidden = expectInputError(() => toEpochMs(secret, 'issuedAt'), 'issuedAt');
    expect(hidden.message).not.toContain(secret);
    expect(hidden.message).not.toContain('eyJ');
    expect(hidden.message).toContain(`${secret.length}-character string`);
    expect(JSON.stringify(hidden)).not.toContain('eyJ');
  });
});

describe('parseIstNaive', () => {
  it('reads Python isoformat() text as IST wall time', () => {
    expect(parseIstNaive('2025-01-15T10:30:00')).toBe(istMs(2025, 1, 15, 10, 30));
    expect(parseIstNaive('2025-01-15T10:30:00.123456')).toBe(istMs(2025, 1, 15, 10, 30, 0, 123));
    expect(parseIstNaive('2025-01-15 10:30:00')).toBe(istMs(2025, 1, 15, 10, 30));
    expect(parseIstNaive('2025-01-15T10:30')).toBe(istMs(2025, 1, 15, 10, 30));
    expect(toIstIso(parseIstNaive('2028-02-29T03:30:00'))).toBe('2028-02-29T03:30:00.000+05:30');
  });

  it.each([
    ['with Z', '2025-01-15T10:30:00Z'],
    ['with an offset', '2025-01-15T10:30:00+05:30'],
    ['not a date', 'yesterday'],
    ['invalid day', '2025-02-29T10:30:00'],
    ['date only', '2025-01-15'],
  ])('rejects %s', (_label, text) => {
    expectInputError(() => parseIstNaive(text, 'issued_at'), 'issued_at');
  });

  it('rejects non-strings', () => {
    expectInputError(() => parseIstNaive(0 as unknown as string), 'value');
  });
});

describe('parseIsoAsIst', () => {
  it('honours an offset and reads naive text as IST', () => {
    expect(parseIsoAsIst('2025-01-15T10:30:00')).toBe(istMs(2025, 1, 15, 10, 30));
    expect(parseIsoAsIst('2025-01-15T10:30:00+05:30')).toBe(istMs(2025, 1, 15, 10, 30));
    expect(parseIsoAsIst('2025-01-15T10:30:00Z')).toBe(Date.UTC(2025, 0, 15, 10, 30));
  });

  it('rejects anything else', () => {
    expectInputError(() => parseIsoAsIst('15/01/2025 10:30', 'expires_at'), 'expires_at');
    expectInputError(() => parseIsoAsIst(null as unknown as string, 'expires_at'), 'expires_at');
  });
});

describe('luxon global settings', () => {
  it('still throws InputError when an app set Settings.throwOnInvalid', () => {
    Settings.throwOnInvalid = true;
    try {
      expectInputError(() => toEpochMs('2025-02-30T00:00:00Z', 'issuedAt'), 'issuedAt');
      expectInputError(() => parseIstNaive('2025-02-29T10:30:00', 'issued_at'), 'issued_at');
      expect(toEpochMs('2025-02-28T00:00:00Z')).toBe(Date.UTC(2025, 1, 28));
    } finally {
      Settings.throwOnInvalid = false;
    }
  });

  it('ignores Settings.defaultZone (answers stay in IST)', () => {
    Settings.defaultZone = 'America/New_York';
    try {
      expect(toIstIso('2026-11-26T22:00:00Z')).toBe('2026-11-27T03:30:00.000+05:30');
      expect(parseIstNaive('2025-01-15T10:30:00')).toBe(istMs(2025, 1, 15, 10, 30));
      expect(tokenExpiry('2026-11-26T20:00:00+05:30')).toBe(istMs(2026, 11, 27, 3, 30));
    } finally {
      Settings.defaultZone = 'system';
    }
  });
});
