import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_LAUNCH_OPTIONS } from '@hft/test-kit';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, startEmulator, startReceiver } from './helpers.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

let browser: Browser;

beforeAll(async () => {
  // Debian's chromium: no browser downloads are possible on these machines.
  browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

async function setup() {
  const callback = await startReceiver(
    200,
    '<!DOCTYPE html><title>Callback</title><p id="done">Logged in</p>',
  );
  const { emu } = await startEmulator();
  const redirectUri = `${callback.url}/callback`;
  emu.upsertApp({ clientId: 'emulator-client', redirectUris: [redirectUri] });
  return { emu, callback, redirectUri };
}

describe('login page in headless Chromium', () => {
  it('fills #mobile/#otp/#pin, clicks #login and lands on the redirect URI with code and state', async () => {
    const { emu, callback, redirectUri } = await setup();
    const page = await browser.newPage();
    try {
      await page.goto(emu.authorizeUrl({ redirectUri, state: 'browser-state' }));
      await page.fill('#mobile', emu.defaultUser.mobile);
      await page.fill('#otp', emu.defaultUser.otp);
      await page.fill('#pin', emu.defaultUser.pin);
      const shot = `${ARTIFACTS}login-page.png`;
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(0);

      await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('#login')]);
      const landed = new URL(page.url());
      expect(`${landed.origin}${landed.pathname}`).toBe(redirectUri);
      expect(landed.searchParams.get('state')).toBe('browser-state');
      const code = landed.searchParams.get('code');
      expect(code).toBeTruthy();
      expect(await page.textContent('#done')).toBe('Logged in');
      expect(callback.received.map((r) => r.path)).toContain(`/callback?code=${code}&state=browser-state`);

      const res = await exchange(emu, { code: code!, redirect_uri: redirectUri });
      expect(res.status).toBe(200);
    } finally {
      await page.close();
    }
  });

  it('shows #error on a wrong PIN and keeps the state for the next attempt', async () => {
    const { emu, redirectUri } = await setup();
    const page = await browser.newPage();
    try {
      await page.goto(emu.authorizeUrl({ redirectUri, state: 'kept' }));
      await page.fill('#mobile', emu.defaultUser.mobile);
      await page.fill('#otp', emu.defaultUser.otp);
      await page.fill('#pin', '000000');
      await Promise.all([page.waitForLoadState('load'), page.click('#login')]);
      await page.waitForSelector('#error');
      expect(await page.textContent('#error')).toContain('Invalid');
      expect(new URL(page.url()).origin).toBe(emu.url);
      expect(await page.inputValue('#mobile')).toBe(emu.defaultUser.mobile);
      const shot = `${ARTIFACTS}login-wrong-pin.png`;
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(0);

      await page.fill('#otp', emu.defaultUser.otp);
      await page.fill('#pin', emu.defaultUser.pin);
      await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('#login')]);
      expect(new URL(page.url()).searchParams.get('state')).toBe('kept');
    } finally {
      await page.close();
    }
  });
});
