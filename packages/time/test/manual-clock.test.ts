import { describe, expect, it } from 'vitest';
import { createManualClock, MANUAL_CLOCK_DEFAULT_START } from '../src/testing.js';
import { expectInputError, istMs } from './helpers.js';

describe('createManualClock', () => {
  it('starts at Monday 2026-01-05 10:00 IST by default', () => {
    expect(createManualClock().now()).toBe(istMs(2026, 1, 5, 10, 0));
    expect(MANUAL_CLOCK_DEFAULT_START).toBe('2026-01-05T10:00:00+05:30');
  });

  it('starts where told and stands still until moved', () => {
    const clock = createManualClock(new Date(1_000));
    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.advance(0);
    expect(clock.now()).toBe(1_500);
    clock.set('2026-11-27T03:30:00+05:30');
    expect(clock.now()).toBe(istMs(2026, 11, 27, 3, 30));
    clock.set(0);
    expect(clock.now()).toBe(0);
  });

  it('clocks are independent', () => {
    const a = createManualClock(0);
    const b = createManualClock(0);
    a.advance(10);
    expect(b.now()).toBe(0);
  });

  it('rejects bad start, set and advance values, keeping the old time', () => {
    expectInputError(() => createManualClock('2026-01-05T10:00:00'), 'start');
    const clock = createManualClock(0);
    expectInputError(() => clock.set(Number.NaN), 'to');
    expectInputError(() => clock.advance(-1), 'ms');
    expectInputError(() => clock.advance(Number.POSITIVE_INFINITY), 'ms');
    expectInputError(() => clock.advance('5' as unknown as number), 'ms');
    clock.set(8.64e15);
    expectInputError(() => clock.advance(1), 'ms');
    expect(clock.now()).toBe(8.64e15);
  });
});
