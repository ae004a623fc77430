import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { IST_ZONE, TimeUtils } from '../src/index.js';
import { createManualClock } from '../src/testing.js';
import { expectInputError, istMs } from './helpers.js';

describe('TimeUtils (Python-compatible facade)', () => {
  it('getTokenExpiryTime: from an explicit issue time, as a Date', () => {
    const expiry = TimeUtils.getTokenExpiryTime('2026-11-26T17:30:00+05:30');
    expect(expiry).toBeInstanceOf(Date);
    expect(expiry.getTime()).toBe(istMs(2026, 11, 27, 3, 30));
    expect(TimeUtils.getTokenExpiryTime(istMs(2028, 2, 29, 2, 0)).getTime()).toBe(istMs(2028, 2, 29, 3, 30));
  });

  it('getTokenExpiryTime: defaults the issue time to the clock', () => {
    const clock = createManualClock('2026-11-27T03:29:59.999+05:30');
    expect(TimeUtils.getTokenExpiryTime(undefined, clock).getTime()).toBe(istMs(2026, 11, 27, 3, 30));
    clock.advance(1);
    expect(TimeUtils.getTokenExpiryTime(undefined, clock).getTime()).toBe(istMs(2026, 11, 28, 3, 30));
    const system = TimeUtils.getTokenExpiryTime().getTime();
    expect(system).toBeGreaterThan(Date.now());
    expect(system).toBeLessThanOrEqual(Date.now() + 86_400_000);
  });

  it('isTokenExpired: clock and skew', () => {
    const expiresAt = istMs(2026, 11, 27, 3, 30);
    const clock = createManualClock('2026-11-27T03:29:30+05:30');
    expect(TimeUtils.isTokenExpired(expiresAt, clock)).toBe(false);
    expect(TimeUtils.isTokenExpired(expiresAt, clock, 30_000)).toBe(true);
    expect(TimeUtils.isTokenExpired(new Date(expiresAt), clock, 29_999)).toBe(false);
    clock.advance(30_000);
    expect(TimeUtils.isTokenExpired(expiresAt, clock)).toBe(true);
    expect(TimeUtils.isTokenExpired(Date.now() - 1)).toBe(true);
  });

  it('getTimeUntilExpiry: milliseconds, never negative', () => {
    const clock = createManualClock('2026-11-27T01:30:00+05:30');
    expect(TimeUtils.getTimeUntilExpiry('2026-11-27T03:30:00+05:30', clock)).toBe(2 * 3_600_000);
    clock.advance(3 * 3_600_000);
    expect(TimeUtils.getTimeUntilExpiry('2026-11-27T03:30:00+05:30', clock)).toBe(0);
  });

  it('datetimeToTimestampMs: Date and luxon DateTime', () => {
    expect(TimeUtils.datetimeToTimestampMs(new Date(1_767_587_400_000))).toBe(1_767_587_400_000);
    const dt = DateTime.fromISO('2026-01-05T10:00:00', { zone: IST_ZONE });
    expect(TimeUtils.datetimeToTimestampMs(dt)).toBe(istMs(2026, 1, 5, 10, 0));
    expectInputError(() => TimeUtils.datetimeToTimestampMs(new Date('x')), 'd');
    expectInputError(() => TimeUtils.datetimeToTimestampMs('2026-01-05T10:00:00Z' as never), 'd');
    expectInputError(() => TimeUtils.datetimeToTimestampMs(DateTime.invalid('x')), 'dt');
  });

  it('timestampMsToDatetime: a Date for the same instant', () => {
    const date = TimeUtils.timestampMsToDatetime(istMs(2026, 1, 5, 10, 0));
    expect(date).toBeInstanceOf(Date);
    expect(date.toISOString()).toBe('2026-01-05T04:30:00.000Z');
    expectInputError(() => TimeUtils.timestampMsToDatetime(Number.NaN), 'ms');
    expectInputError(() => TimeUtils.timestampMsToDatetime('1767587400000' as never), 'ms');
  });

  it('getCurrentIstTime: now as an IST DateTime', () => {
    const clock = createManualClock('2026-01-04T22:00:00Z');
    const now = TimeUtils.getCurrentIstTime(clock);
    expect(now.zoneName).toBe(IST_ZONE);
    expect(now.toISO()).toBe('2026-01-05T03:30:00.000+05:30');
    const before = Date.now();
    const system = TimeUtils.getCurrentIstTime().toMillis();
    expect(system).toBeGreaterThanOrEqual(before);
    expect(system).toBeLessThanOrEqual(Date.now());
  });

  it('is frozen', () => {
    expect(Object.isFrozen(TimeUtils)).toBe(true);
  });
});
