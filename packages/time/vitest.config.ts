import { hftVitest } from '@hft/vitest-config';
import { defineConfig } from 'vitest/config';

/**
 * Every test file runs once per host time zone: the package must give the same answers whatever
 * `TZ` the process has. New York has DST; Chatham is +12:45/+13:45 (quarter-hour, southern DST).
 * `test/host-zone.test.ts` proves in each project that the zone really took effect.
 */
const HOST_ZONES = ['UTC', 'Asia/Kolkata', 'America/New_York', 'Pacific/Chatham'] as const;

export default defineConfig(
  hftVitest({
    projects: HOST_ZONES.map((zone) => ({
      extends: true as const,
      test: { name: `TZ=${zone}`, env: { TZ: zone } },
    })),
  }),
);
