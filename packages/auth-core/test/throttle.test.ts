import { createManualClock } from '@hft/time/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowLog } from '../src/sliding-window-log.js';
import { createThrottle } from '../src/wire.js';
import { budget } from './fuzz-kit.js';

/** Release times of arrivals `gaps` apart through logs of `windows`, as the client's gate does. */
function releases(windows: ReadonlyArray<{ limit: number; lengthMs: number }>, gaps: readonly number[]) {
  const logs = windows.map((w) => new SlidingWindowLog(w.limit, w.lengthMs));
  const out: Array<{ arrival: number; at: number }> = [];
  let arrival = 0;
  let latest = 0;
  for (const gap of gaps) {
    arrival += gap;
    let at = Math.max(arrival, latest);
    for (const log of logs) at = log.freeAt(at);
    for (const log of logs) log.record(at);
    latest = at;
    out.push({ arrival, at });
  }
  return out;
}

const windowArb = fc.record({
  limit: fc.integer({ min: 1, max: 6 }),
  lengthMs: fc.integer({ min: 1, max: 200 }),
});

describe('SlidingWindowLog', () => {
  it('never lets a span of a window hold more than its limit, and releases no later than it must', () => {
    fc.assert(
      fc.property(
        fc.array(windowArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 300 }),
        (windows, gaps) => {
          const out = releases(windows, gaps);
          for (const { limit, lengthMs } of windows) {
            for (let i = 0; i + limit < out.length; i++) {
              // The (limit+1)-th release after the i-th lies a whole window later.
              expect(out[i + limit]!.at - out[i]!.at).toBeGreaterThanOrEqual(lengthMs);
            }
          }
          for (let i = 0; i < out.length; i++) {
            const { arrival, at } = out[i]!;
            const earliest = Math.max(arrival, i > 0 ? out[i - 1]!.at : 0);
            expect(at).toBeGreaterThanOrEqual(earliest);
            if (at === earliest) continue;
            // A wait ends exactly when the oldest release of some full window leaves it.
            const boundary = windows.some(
              ({ limit, lengthMs }) => i >= limit && out[i - limit]!.at + lengthMs === at,
            );
            expect(boundary).toBe(true);
          }
        },
      ),
      budget(300),
    );
  });

  it('forgets what has left the window: a long run keeps to the limit through compaction', () => {
    const out = releases(
      [{ limit: 3, lengthMs: 10 }],
      Array.from({ length: 5000 }, (_, i) => i % 7),
    );
    for (let i = 0; i + 3 < out.length; i++) expect(out[i + 3]!.at - out[i]!.at).toBeGreaterThanOrEqual(10);
    // Arrivals slower than the limit are never held back.
    const slow = releases([{ limit: 3, lengthMs: 10 }], Array(3000).fill(4));
    expect(slow.every((r) => r.at === r.arrival)).toBe(true);
  });
});

describe('createThrottle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers at once (no promise) under the limits, and waits for the window that is full', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const clock = createManualClock();
    const throttle = createThrottle(
      { standard: { perSecond: 2, perMinute: 3, perThirtyMinutes: null }, order: false, jitterAllowance: 0 },
      clock,
    );
    expect(throttle('standard')).toBeUndefined();
    expect(throttle('standard')).toBeUndefined();
    expect(throttle('order')).toBeUndefined();
    const third = throttle('standard');
    const fourth = throttle('standard');
    expect(third).toBeInstanceOf(Promise);
    expect(fourth).toBeInstanceOf(Promise);
    const done: string[] = [];
    void third!.then(() => done.push('third'));
    void fourth!.then(() => done.push('fourth'));
    // The third waits for the second to turn; the fourth for the minute (three per minute).
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual(['third']);
    await vi.advanceTimersByTimeAsync(58_999);
    expect(done).toEqual(['third']);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual(['third', 'fourth']);
    // A minute on, the logs have emptied: at once again.
    clock.advance(200_000);
    expect(throttle('standard')).toBeUndefined();
  });

  it('stretches each window by the jitter allowance', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const clock = createManualClock();
    const throttle = createThrottle(
      { standard: { perSecond: 1, perMinute: null, perThirtyMinutes: null } },
      clock,
    );
    expect(throttle('standard')).toBeUndefined();
    let released = false;
    void throttle('standard')!.then(() => {
      released = true;
    });
    await vi.advanceTimersByTimeAsync(1099);
    expect(released).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toBe(true);
  });

  it('rejects a limit that is not a whole number >= 1, naming the field', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      expect(() => createThrottle({ order: { perMinute: bad as number } })).toThrow(
        expect.objectContaining({
          code: 'HFT_INPUT_INVALID',
          message: expect.stringContaining('rateLimits.order.perMinute'),
        }),
      );
    }
    expect(() => createThrottle({ jitterAllowance: -0.1 })).toThrow(
      expect.objectContaining({ code: 'HFT_INPUT_INVALID' }),
    );
  });
});
