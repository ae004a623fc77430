import { describe, expect, it } from 'vitest';
import { completeLogin } from '../src/index.js';
import { startEmulator } from './helpers.js';

describe('completeLogin', () => {
  it('logs the test user in through the real dialog and form, returning the redirect', async () => {
    const { emu } = await startEmulator();
    const location = await completeLogin(emu.authorizeUrl({ state: 'st-1' }));
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(emu.defaultApp.redirectUris[0]);
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{6,}$/);
    expect(emu.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /v2/login/authorization/dialog');
  });

  it('reports a dialog refusal and wrong login values', async () => {
    const { emu } = await startEmulator();
    await expect(
      completeLogin(
        `${emu.url}/v2/login/authorization/dialog?client_id=nope&redirect_uri=x&response_type=code`,
      ),
    ).rejects.toThrow(/HTTP 400/);
    await expect(completeLogin(emu.authorizeUrl(), { pin: '000000' })).rejects.toThrow(/rejected the login/);
    await expect(completeLogin('not a url')).rejects.toMatchObject({ code: 'HFT_INPUT_INVALID' });
  });
});
