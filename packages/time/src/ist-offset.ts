/**
 * India Standard Time is the fixed offset UTC+05:30, with no daylight saving, since October
 * 1945. The hot paths (expiry, parsing and writing token timestamps) use this arithmetic
 * instead of a time-zone database: it is exact for every instant a token can have and avoids
 * the cost of initialising ICU time-zone data (tens of milliseconds at process start).
 */
export const IST_OFFSET_MS = (5 * 60 + 30) * 60_000;

const DAY_MS = 86_400_000;

/** Wall-clock reading of an instant in Asia/Kolkata. `month` is 1-12, like luxon (not `Date`). */
export interface IstWallTime {
  year: number;
  /** 1 = January ... 12 = December. */
  month: number;
  /** Day of the month, 1-31. */
  day: number;
  /** 0-23. */
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** Wall-clock fields of `ms` in IST, from the fixed offset. */
export function istFields(ms: number): IstWallTime {
  const d = new Date(ms + IST_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/** Epoch ms of the IST wall time (month 1-12); `undefined` when the fields name no real date. */
export function fromIstFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  offsetMs = IST_OFFSET_MS,
): number | undefined {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millisecond);
  // Date normalises overflow (30 February -> 2 March): a changed field means an invalid date.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return d.getTime() - offsetMs;
}

/** Epoch ms of the start (00:00:00.000 IST) of the IST day containing `ms`. */
export function istDayStart(ms: number): number {
  const wall = ms + IST_OFFSET_MS;
  return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS) - IST_OFFSET_MS;
}

/** `2026-11-27T03:30:00.000+05:30` (expanded `+YYYYYY` years outside 0000-9999, as ISO 8601 allows). */
export function istIso(ms: number): string {
  return `${new Date(ms + IST_OFFSET_MS).toISOString().slice(0, -1)}+05:30`;
}

export { DAY_MS };
