import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_LAUNCH_OPTIONS } from '@hft/test-kit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { ARTIFACTS_DIR } from './helpers/paths.js';
import { registerSecret } from './helpers/registry.js';
import { TestUpstox } from './helpers/upstox.js';

const CHROMIUM = CHROMIUM_LAUNCH_OPTIONS.executablePath;

let upstox: TestUpstox;
let browser: Browser | undefined;

beforeAll(async () => {
  upstox = await TestUpstox.start();
  // Debian's chromium (no browser downloads on these machines).
  browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await upstox?.close();
});

describe('login in a real browser', () => {
  it('chromium fills the emulator login page, lands on the loopback callback, and the CLI stores the token', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is needed for this test`).toBe(true);
    const account = await upstox.account();
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    const [, url] = await cli.waitFor(/^(http:\/\/\S+\/v2\/login\/authorization\/dialog\?\S+)$/m);

    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url as string);
      const user = upstox.emu.defaultUser;
      await page.fill('#mobile', user.mobile);
      await page.fill('#otp', user.otp);
      await page.fill('#pin', user.pin);
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(account.redirectUri), { timeout: 15_000 }),
        page.click('#login'),
      ]);
      registerSecret('auth code', new URL(page.url()).searchParams.get('code'));
      await page.waitForSelector('#result');
      expect(await page.textContent('#result')).toBe('Logged in');
      expect(await page.textContent('body')).toContain('Logged in as EMU001.');
      const screenshot = join(ARTIFACTS_DIR, 'login-success.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(1000);
    } finally {
      await context.close();
    }

    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in as EMU001');
    const token = await runCli(['token'], { env: account.env });
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });
});
