import { describe, expect, it } from 'vitest';
import { isExpired, systemClock, timeUntilExpiry, tokenExpiry } from '../src/index.js';
import { createManualClock } from '../src/testing.js';
import { expectInputError, istMs } from './helpers.js';

const ISSUED = '2026-11-26T20:00:00+05:30';
const EXPIRES = istMs(2026, 11, 27, 3, 30);

describe('isExpired / timeUntilExpiry across 03:30 IST (manual clock)', () => {
  it('flips exactly at 03:30:00.000 IST', () => {
    const clock = createManualClock(ISSUED);
    const expiresAt = tokenExpiry(clock.now());
    expect(expiresAt).toBe(EXPIRES);
    expect(isExpired(expiresAt, { clock })).toBe(false);
    expect(timeUntilExpiry(expiresAt, { clock })).toBe(7.5 * 3_600_000);

    clock.set('2026-11-27T03:29:59.999+05:30');
    expect(isExpired(expiresAt, { clock })).toBe(false);
    expect(timeUntilExpiry(expiresAt, { clock })).toBe(1);

    clock.advance(1);
    expect(isExpired(expiresAt, { clock })).toBe(true);
    expect(timeUntilExpiry(expiresAt, { clock })).toBe(0);

    clock.advance(3_600_000);
    expect(isExpired(expiresAt, { clock })).toBe(true);
    expect(timeUntilExpiry(expiresAt, { clock })).toBe(0);
  });

  it('a token issued at 02:30 IST lives one hour', () => {
    const clock = createManualClock('2026-11-27T02:30:00+05:30');
    const expiresAt = tokenExpiry(clock.now());
    expect(timeUntilExpiry(expiresAt, { clock })).toBe(3_600_000);
    clock.advance(3_600_000 - 1);
    expect(isExpired(expiresAt, { clock })).toBe(false);
    clock.advance(1);
    expect(isExpired(expiresAt, { clock })).toBe(true);
  });

  it('accepts the expiry as Date or ISO text', () => {
    const clock = createManualClock('2026-11-27T03:29:00+05:30');
    for (const form of [
      EXPIRES,
      new Date(EXPIRES),
      '2026-11-27T03:30:00.000+05:30',
      '2026-11-26T22:00:00Z',
    ]) {
      expect(isExpired(form, { clock })).toBe(false);
      expect(timeUntilExpiry(form, { clock })).toBe(60_000);
    }
  });

  it('skewMs treats the token as expired that long before expiresAt', () => {
    const clock = createManualClock('2026-11-27T03:28:59.999+05:30');
    expect(isExpired(EXPIRES, { clock, skewMs: 60_000 })).toBe(false);
    clock.advance(1); // 03:29:00.000, exactly skewMs before expiry
    expect(isExpired(EXPIRES, { clock, skewMs: 60_000 })).toBe(true);
    expect(isExpired(EXPIRES, { clock })).toBe(false);
    expect(isExpired(EXPIRES, { clock, skewMs: 0 })).toBe(false);
  });

  it('rejects a negative or non-finite skew', () => {
    const clock = createManualClock();
    expectInputError(() => isExpired(EXPIRES, { clock, skewMs: -1 }), 'options.skewMs');
    expectInputError(() => isExpired(EXPIRES, { clock, skewMs: Number.NaN }), 'options.skewMs');
    expectInputError(() => isExpired(EXPIRES, { clock, skewMs: Number.POSITIVE_INFINITY }), 'options.skewMs');
    expectInputError(() => isExpired(EXPIRES, { clock, skewMs: '5' as unknown as number }), 'options.skewMs');
  });

  it('fails closed on a broken clock instead of calling the token valid', () => {
    const nanClock = { now: () => Number.NaN };
    expectInputError(() => isExpired(EXPIRES, { clock: nanClock }), 'clock.now()');
    expectInputError(() => timeUntilExpiry(EXPIRES, { clock: nanClock }), 'clock.now()');
    expectInputError(() => isExpired(EXPIRES, { clock: {} as never }), 'clock');
  });

  it('defaults to the system clock', () => {
    const before = Date.now();
    const left = timeUntilExpiry(before + 3_600_000);
    expect(left).toBeGreaterThan(3_590_000);
    expect(left).toBeLessThanOrEqual(3_600_000);
    expect(isExpired(before - 1)).toBe(true);
    expect(isExpired(before + 3_600_000)).toBe(false);
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
