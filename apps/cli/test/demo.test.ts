import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { newHome } from './helpers/homes.js';

describe('hft demo', () => {
  it('runs the whole flow with no terminal and exits 0', async () => {
    const home = newHome();
    const result = await runCli(['demo'], { env: { HFT_HOME: home }, killAfterMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    const err = result.stderr;
    const out = result.stdout;
    expect(err).toMatch(/1\. Upstox emulator started at http:\/\/127\.0\.0\.1:\d+/);
    expect(err).toContain("No terminal attached: the emulator's test user is filled in automatically");
    expect(out).toContain('Logged in as EMU001 (Emulator Test User).');
    // status
    expect(err).toContain('3. Status');
    expect(out).toMatch(/^Account\s+upstox:emulator-client:EMU001$/m);
    expect(out).toMatch(/^Expires\s+.+03:30:00 IST/m);
    // whoami
    expect(err).toContain('4. Who am I');
    expect(out).toMatch(/^Email\s+emulator\.user@example\.com$/m);
    // time left and logout
    expect(out).toMatch(/^Token life left: \d+h \d{2}m \(expires .+03:30:00 IST\)$/m);
    expect(out).toContain('Logged out: broker revoked, local token deleted.');
    expect(err).toContain('Demo complete.');
    // The given HFT_HOME was used (and logged to), and nothing is left logged in.
    expect(statSync(join(home, 'logs', 'hft.log')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home, 'tokens', 'upstox_token.json'))).toBe(false);
  }, 40_000);
});

describe('hft demo --request', () => {
  it('runs the v3 request flow: receiver, approval, webhook delivery, then the same checks', async () => {
    const home = newHome();
    const result = await runCli(['demo', '--request'], { env: { HFT_HOME: home }, killAfterMs: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /v3 access token request; the notifier webhook receiver listens on http:\/\/127\.0\.0\.1:\d+\/upstox\/notify\//,
    );
    expect(result.stderr).toContain('Access token request sent.');
    expect(result.stderr).toMatch(/webhook delivery: 200 stored/);
    expect(result.stdout).toContain('Logged in as EMU001 (Emulator Test User).');
    expect(result.stdout).toContain('Logged out: broker revoked, local token deleted.');
  });
});
