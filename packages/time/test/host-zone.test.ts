import { describe, expect, it } from 'vitest';

/** getTimezoneOffset() (minutes, UTC minus local) on 1 January and 1 July 2026, per zone. */
const OFFSETS: Record<string, { january: number; july: number }> = {
  UTC: { january: 0, july: 0 },
  'Asia/Kolkata': { january: -330, july: -330 },
  'America/New_York': { january: 300, july: 240 },
  'Pacific/Chatham': { january: -825, july: -765 },
};

describe('host time zone of this project', () => {
  it('is the zone the project configured, and Date really uses it', () => {
    const zone = process.env.TZ;
    expect(zone, 'TZ must be set by the vitest project').toBeDefined();
    const expected = OFFSETS[zone ?? ''];
    expect(expected, `no expected offsets for TZ=${zone}`).toBeDefined();
    expect(new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset()).toBe(expected?.january);
    expect(new Date(Date.UTC(2026, 6, 1)).getTimezoneOffset()).toBe(expected?.july);
    // ICU may report a legacy alias (Node 20 says Asia/Calcutta for Asia/Kolkata).
    const aliases = zone === 'Asia/Kolkata' ? [zone, 'Asia/Calcutta'] : [zone];
    expect(aliases).toContain(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});
