import { formatIst } from '@hft/time';

/** `17h 05m`, `4m 09s`, `12s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A 20-cell bar of the token's remaining life. */
export function lifetimeBar(issuedAt: number, expiresAt: number, now: number, width = 20): string {
  const life = Math.max(1, expiresAt - issuedAt);
  const left = Math.min(1, Math.max(0, (expiresAt - now) / life));
  const filled = Math.round(left * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(left * 100)}%`;
}

/** An instant in IST and in the host's local zone. */
export function bothZones(ms: number): string {
  const local = new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${formatIst(ms)} (${local} ${zone})`;
}

/** Left-aligned `label  value` rows. */
export function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}
