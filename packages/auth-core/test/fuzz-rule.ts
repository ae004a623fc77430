const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const IST = 5.5 * HOUR;

/**
 * The 03:30 IST expiry rule, written out independently of `@hft/time` (IST has no DST) so the
 * fuzz tests check the library against a second implementation rather than against itself.
 */
export function ruleExpiry(issuedAt: number): number {
  const wall = issuedAt + IST;
  const mark = Math.floor(wall / DAY) * DAY + 3.5 * HOUR;
  return (wall < mark ? mark : mark + DAY) - IST;
}
