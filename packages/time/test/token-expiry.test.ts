import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istWallTime, toIstIso, tokenExpiry } from '../src/index.js';
import { DAY_MS, EXPIRY_OF_DAY_MS, IST_OFFSET_MS, istMs, istMsOfDay } from './helpers.js';

type Wall = [
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second?: number,
  ms?: number,
];

/** [label, issued IST wall time, expected expiry IST date (03:30)]. */
const VECTORS: Array<[string, Wall, [number, number, number]]> = [
  ['IST midnight', [2026, 11, 26, 0, 0, 0, 0], [2026, 11, 26]],
  ['02:59:59', [2026, 11, 26, 2, 59, 59], [2026, 11, 26]],
  ['03:29:59.999', [2026, 11, 26, 3, 29, 59, 999], [2026, 11, 26]],
  ['03:30:00.000 exactly', [2026, 11, 26, 3, 30, 0, 0], [2026, 11, 27]],
  ['03:30:00.001', [2026, 11, 26, 3, 30, 0, 1], [2026, 11, 27]],
  ['23:59', [2026, 11, 26, 23, 59], [2026, 11, 27]],
  ['23:59:59.999', [2026, 11, 26, 23, 59, 59, 999], [2026, 11, 27]],
  ['docs: Tue 20:00 -> Wed 03:30', [2026, 11, 24, 20, 0], [2026, 11, 25]],
  ['docs: Wed 02:30 -> Wed 03:30', [2026, 11, 25, 2, 30], [2026, 11, 25]],
  ['31 Jan 23:00 -> 1 Feb', [2026, 1, 31, 23, 0], [2026, 2, 1]],
  ['30 Apr 12:00 -> 1 May', [2026, 4, 30, 12, 0], [2026, 5, 1]],
  ['year end 31 Dec 22:00', [2026, 12, 31, 22, 0], [2027, 1, 1]],
  ['new year 1 Jan 01:00', [2027, 1, 1, 1, 0], [2027, 1, 1]],
  ['non-leap 28 Feb 10:00 -> 1 Mar', [2027, 2, 28, 10, 0], [2027, 3, 1]],
  ['leap 28 Feb 10:00 -> 29 Feb', [2028, 2, 28, 10, 0], [2028, 2, 29]],
  ['leap 29 Feb 02:00 -> 29 Feb', [2028, 2, 29, 2, 0], [2028, 2, 29]],
  ['leap 29 Feb 03:30 -> 1 Mar', [2028, 2, 29, 3, 30], [2028, 3, 1]],
  ['US DST starts (8 Mar 2026 12:30 IST = 02:00 New York)', [2026, 3, 8, 12, 30], [2026, 3, 9]],
  ['US DST ends (1 Nov 2026 11:30 IST = 01:00 New York, twice)', [2026, 11, 1, 11, 30], [2026, 11, 2]],
  ['Chatham DST ends (5 Apr 2026 03:00 IST)', [2026, 4, 5, 3, 0], [2026, 4, 5]],
  ['Chatham DST starts (27 Sep 2026 20:00 IST)', [2026, 9, 27, 20, 0], [2026, 9, 28]],
];

describe('tokenExpiry: fixed vectors', () => {
  it.each(VECTORS)('%s', (_label, wall, [year, month, day]) => {
    const issued = istMs(...wall);
    const expected = istMs(year, month, day, 3, 30);
    expect(tokenExpiry(issued)).toBe(expected);
  });

  it('gives the same answer for a number, a Date and ISO strings in any offset', () => {
    for (const [, wall, [year, month, day]] of VECTORS) {
      const issued = istMs(...wall);
      const expected = istMs(year, month, day, 3, 30);
      const iso = new Date(issued).toISOString(); // ...Z
      const forms = [
        issued,
        new Date(issued),
        iso,
        iso.replace('Z', '+00:00'),
        toIstIso(issued),
        toIstIso(issued).replace('+05:30', '+0530'),
        isoWithOffset(issued, -5 * 60),
        isoWithOffset(issued, 13 * 60 + 45),
        isoWithOffset(issued, -9 * 60 - 30),
      ];
      for (const form of forms) expect(tokenExpiry(form), String(form)).toBe(expected);
    }
  });

  it('reads explicit UTC instants correctly', () => {
    // 21:59:59.999Z = 03:29:59.999 IST next day; 22:00Z = 03:30 IST.
    expect(tokenExpiry('2026-11-25T21:59:59.999Z')).toBe(Date.parse('2026-11-25T22:00:00Z'));
    expect(tokenExpiry('2026-11-25T22:00:00Z')).toBe(Date.parse('2026-11-26T22:00:00Z'));
    expect(tokenExpiry(Date.UTC(2026, 10, 25, 18, 30))).toBe(Date.UTC(2026, 10, 25, 22, 0)); // IST midnight
  });

  it('formats to the on-disk IST text', () => {
    expect(toIstIso(tokenExpiry('2026-11-26T17:30:00+05:30'))).toBe('2026-11-27T03:30:00.000+05:30');
  });
});

/** ISO text of `ms` shifted to a fixed offset (minutes east of UTC), built without luxon. */
function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

describe('tokenExpiry: properties', () => {
  const WIDE = fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2500, 0, 1) });

  it('lies in (t, t + 24 h] and reads exactly 03:30:00.000 IST', () => {
    fc.assert(
      fc.property(WIDE, (t) => {
        const expiry = tokenExpiry(t);
        expect(expiry).toBeGreaterThan(t);
        expect(expiry).toBeLessThanOrEqual(t + DAY_MS);
        expect(istMsOfDay(expiry)).toBe(EXPIRY_OF_DAY_MS);
        const wall = istWallTime(expiry);
        expect([wall.hour, wall.minute, wall.second, wall.millisecond]).toEqual([3, 30, 0, 0]);
      }),
      { numRuns: 500 },
    );
  });

  it('is exact within milliseconds of the 03:30 mark', () => {
    // Days since 1970 from 1950-01-01 to about 2498 (IST has been a fixed +05:30 since 1945).
    const nearMark = fc
      .tuple(fc.integer({ min: -7_305, max: 193_000 }), fc.integer({ min: -3, max: 3 }))
      .map(([day, delta]) => day * DAY_MS + EXPIRY_OF_DAY_MS - IST_OFFSET_MS + delta);
    fc.assert(
      fc.property(nearMark, (t) => {
        const mark = t - ((((t - (EXPIRY_OF_DAY_MS - IST_OFFSET_MS)) % DAY_MS) + DAY_MS) % DAY_MS);
        // mark = the latest 03:30 IST at or before t
        expect(tokenExpiry(t)).toBe(mark + DAY_MS);
      }),
      { numRuns: 300 },
    );
  });

  it('is the same for every input form of the instant', () => {
    fc.assert(
      fc.property(WIDE, (t) => {
        const expected = tokenExpiry(t);
        expect(tokenExpiry(new Date(t))).toBe(expected);
        expect(tokenExpiry(new Date(t).toISOString())).toBe(expected);
        expect(tokenExpiry(toIstIso(t))).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent per day: a token issued at its own expiry expires 24 h later', () => {
    fc.assert(
      fc.property(WIDE, (t) => {
        const expiry = tokenExpiry(t);
        expect(tokenExpiry(expiry)).toBe(expiry + DAY_MS);
        expect(tokenExpiry(expiry - 1)).toBe(expiry);
      }),
      { numRuns: 200 },
    );
  });
});
