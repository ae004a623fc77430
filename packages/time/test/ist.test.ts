import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  formatIst,
  fromDateTime,
  IST_ZONE,
  istWallTime,
  nextIstTime,
  toDateTime,
  toIstIso,
} from '../src/index.js';
import { DAY_MS, expectInputError, istMs, istMsOfDay } from './helpers.js';

const EXPIRY = istMs(2026, 11, 27, 3, 30);

describe('IST conversions', () => {
  it('toIstIso writes milliseconds and the +05:30 offset', () => {
    expect(toIstIso(EXPIRY)).toBe('2026-11-27T03:30:00.000+05:30');
    expect(toIstIso('2026-11-26T22:00:00Z')).toBe('2026-11-27T03:30:00.000+05:30');
    expect(toIstIso(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 7)))).toBe('2026-01-01T05:30:00.007+05:30');
  });

  it('formatIst defaults to English day-month-year text with IST', () => {
    expect(formatIst(EXPIRY)).toBe('27 Nov 2026, 03:30:00 IST');
    expect(formatIst('2026-01-04T18:30:00Z')).toBe('05 Jan 2026, 00:00:00 IST');
  });

  it('formatIst accepts a luxon pattern', () => {
    expect(formatIst(EXPIRY, 'yyyy-LL-dd HH:mm')).toBe('2026-11-27 03:30');
    expect(formatIst(EXPIRY, "cccc 'at' h:mm a")).toBe('Friday at 3:30 AM');
  });

  it('formatIst rejects an empty or non-string format', () => {
    expectInputError(() => formatIst(EXPIRY, ''), 'format');
    expectInputError(() => formatIst(EXPIRY, 42 as unknown as string), 'format');
  });

  it('toDateTime is in Asia/Kolkata whatever the host zone', () => {
    const dt = toDateTime(EXPIRY);
    expect(dt.zoneName).toBe(IST_ZONE);
    expect(dt.offset).toBe(330);
    expect([dt.year, dt.month, dt.day, dt.hour, dt.minute]).toEqual([2026, 11, 27, 3, 30]);
    expect(dt.toMillis()).toBe(EXPIRY);
  });

  it('fromDateTime returns epoch ms for a DateTime in any zone', () => {
    expect(fromDateTime(toDateTime(EXPIRY))).toBe(EXPIRY);
    expect(fromDateTime(DateTime.fromISO('2026-11-26T17:00:00', { zone: 'America/New_York' }))).toBe(
      Date.parse('2026-11-26T22:00:00Z'),
    );
    expect(fromDateTime(DateTime.fromMillis(EXPIRY, { zone: 'Pacific/Chatham' }))).toBe(EXPIRY);
  });

  it('fromDateTime rejects an invalid DateTime and non-DateTimes', () => {
    expectInputError(() => fromDateTime(DateTime.invalid('test')), 'dt');
    expectInputError(() => fromDateTime(new Date() as unknown as DateTime), 'dt');
    expectInputError(() => fromDateTime(null as unknown as DateTime), 'dt');
  });

  it('istWallTime gives IST parts with month 1-12', () => {
    expect(istWallTime('2028-02-28T21:30:00.123Z')).toEqual({
      year: 2028,
      month: 2,
      day: 29,
      hour: 3,
      minute: 0,
      second: 0,
      millisecond: 123,
    });
    expect(istWallTime(Date.UTC(2026, 11, 31, 18, 29, 59, 999))).toEqual({
      year: 2026,
      month: 12,
      day: 31,
      hour: 23,
      minute: 59,
      second: 59,
      millisecond: 999,
    });
  });

  it('round-trips: toIstIso -> parse -> same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2500, 0, 1) }), (t) => {
        const iso = toIstIso(t);
        expect(iso.endsWith('+05:30')).toBe(true);
        expect(Date.parse(iso)).toBe(t);
        expect(fromDateTime(toDateTime(t))).toBe(t);
      }),
      { numRuns: 200 },
    );
  });
});

describe('nextIstTime', () => {
  it('returns the mark later the same IST day, or the next day when at/after it', () => {
    const at = istMs(2026, 3, 8, 9, 15);
    expect(nextIstTime(at, 9, 16)).toBe(istMs(2026, 3, 8, 9, 16));
    expect(nextIstTime(at, 9, 15)).toBe(istMs(2026, 3, 9, 9, 15)); // exactly on the mark: strictly after
    expect(nextIstTime(at + 1, 9, 15)).toBe(istMs(2026, 3, 9, 9, 15));
    expect(nextIstTime(at, 0, 0)).toBe(istMs(2026, 3, 9, 0, 0));
    expect(nextIstTime(at, 23, 59)).toBe(istMs(2026, 3, 8, 23, 59));
    expect(nextIstTime('2026-12-31T23:59:00+05:30', 8, 0)).toBe(istMs(2027, 1, 1, 8, 0));
  });

  it('rejects hours and minutes outside the clock', () => {
    expectInputError(() => nextIstTime(EXPIRY, 24, 0), 'hour');
    expectInputError(() => nextIstTime(EXPIRY, -1, 0), 'hour');
    expectInputError(() => nextIstTime(EXPIRY, 1.5, 0), 'hour');
    expectInputError(() => nextIstTime(EXPIRY, Number.NaN, 0), 'hour');
    expectInputError(() => nextIstTime(EXPIRY, 3, 60), 'minute');
    expectInputError(() => nextIstTime(EXPIRY, 3, '30' as unknown as number), 'minute');
    expectInputError(() => nextIstTime('tomorrow', 3, 30), 'after');
  });

  const instant = fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2500, 0, 1) });
  const hour = fc.integer({ min: 0, max: 23 });
  const minute = fc.integer({ min: 0, max: 59 });

  it('lies in (t, t + 24 h] and reads hour:minute:00.000 IST', () => {
    fc.assert(
      fc.property(instant, hour, minute, (t, h, m) => {
        const next = nextIstTime(t, h, m);
        expect(next).toBeGreaterThan(t);
        expect(next).toBeLessThanOrEqual(t + DAY_MS);
        expect(istMsOfDay(next)).toBe((h * 60 + m) * 60_000);
      }),
      { numRuns: 500 },
    );
  });

  it('repeats every 24 h and is unchanged for any start between two marks', () => {
    fc.assert(
      fc.property(instant, hour, minute, fc.integer({ min: 0, max: DAY_MS - 1 }), (t, h, m, offset) => {
        const next = nextIstTime(t, h, m);
        expect(nextIstTime(next, h, m)).toBe(next + DAY_MS);
        expect(nextIstTime(next - DAY_MS + offset, h, m)).toBe(next);
      }),
      { numRuns: 300 },
    );
  });
});
