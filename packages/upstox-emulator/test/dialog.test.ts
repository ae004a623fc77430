import { describe, expect, it } from 'vitest';
import {
  expectUpstoxError,
  get,
  parseLoginForm,
  postForm,
  START,
  startEmulator,
  submitLogin,
} from './helpers.js';

const CALLBACK = 'http://127.0.0.1:5055/callback';

function dialogUrl(base: string, params: Record<string, string>): string {
  return `${base}/v2/login/authorization/dialog?${new URLSearchParams(params)}`;
}

describe('GET /v2/login/authorization/dialog', () => {
  it('serves a login page with #mobile, #otp, #pin and #login carrying the OAuth parameters', async () => {
    const { emu } = await startEmulator();
    const res = await get(emu.authorizeUrl({ state: 'a b&c"<' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    for (const id of ['mobile', 'otp', 'pin', 'login']) expect(html).toContain(`id="${id}"`);
    const form = parseLoginForm(html);
    expect(form.hidden).toEqual({
      client_id: 'emulator-client',
      redirect_uri: CALLBACK,
      response_type: 'code',
      state: 'a b&c"<',
    });
    expect(html).not.toContain('a b&c"<');
  });

  it('answers UDAPI1018 when redirect_uri is missing', async () => {
    const { emu } = await startEmulator();
    const e = await expectUpstoxError(
      await get(dialogUrl(emu.url, { client_id: 'emulator-client', response_type: 'code' })),
      400,
      'UDAPI1018',
    );
    expect(e.message).toBe('Redirect URI is required');
    expect(e.path).toBe('redirect_uri');
  });

  it('answers UDAPI1017 when client_id is missing', async () => {
    const { emu } = await startEmulator();
    await expectUpstoxError(
      await get(dialogUrl(emu.url, { redirect_uri: CALLBACK, response_type: 'code' })),
      400,
      'UDAPI1017',
    );
  });

  it('answers UDAPI100068 for an unknown client and for an unregistered redirect URI', async () => {
    const { emu } = await startEmulator();
    const unknown = await expectUpstoxError(
      await get(dialogUrl(emu.url, { client_id: 'nobody', redirect_uri: CALLBACK, response_type: 'code' })),
      400,
      'UDAPI100068',
    );
    expect(unknown.message).toBe("Check your 'client_id' and 'redirect_uri'; one or both are incorrect.");
    for (const redirect of [
      `${CALLBACK}/`,
      'http://127.0.0.1:5055/other',
      'http://localhost:5055/callback',
    ]) {
      await expectUpstoxError(
        await get(
          dialogUrl(emu.url, { client_id: 'emulator-client', redirect_uri: redirect, response_type: 'code' }),
        ),
        400,
        'UDAPI100068',
      );
    }
  });

  it('answers UDAPI100016 for a missing or wrong response_type', async () => {
    const { emu } = await startEmulator();
    await expectUpstoxError(
      await get(dialogUrl(emu.url, { client_id: 'emulator-client', redirect_uri: CALLBACK })),
      401,
      'UDAPI100016',
    );
    const e = await expectUpstoxError(
      await get(
        dialogUrl(emu.url, { client_id: 'emulator-client', redirect_uri: CALLBACK, response_type: 'token' }),
      ),
      401,
      'UDAPI100016',
    );
    expect(e.path).toBe('response_type');
    expect(e.value).toBe('token');
  });

  it('answers UDAPI100073 for an inactive app', async () => {
    const { emu } = await startEmulator();
    emu.upsertApp({ clientId: 'emulator-client', active: false });
    await expectUpstoxError(await get(emu.authorizeUrl()), 401, 'UDAPI100073');
  });

  it('answers 405 with Allow on a known path with the wrong method', async () => {
    const { emu } = await startEmulator();
    const res = await fetch(`${emu.url}/v2/login/authorization/dialog`, { method: 'POST' });
    expect(res.headers.get('allow')).toBe('GET');
    await expectUpstoxError(res, 405, 'UDAPI10000');
  });

  it('stamps the Date header from the emulator clock', async () => {
    const { emu, clock } = await startEmulator();
    expect((await get(emu.authorizeUrl())).headers.get('date')).toBe(new Date(START).toUTCString());
    clock.advance(3 * 86_400_000);
    const res = await get(`${emu.url}/no/such/path`);
    expect(res.headers.get('date')).toBe(new Date(START + 3 * 86_400_000).toUTCString());
  });
});

describe('login form', () => {
  it('redirects to redirect_uri with code and state', async () => {
    const { emu } = await startEmulator();
    const res = await submitLogin(emu, { state: 'st/ate 1' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('st/ate 1');
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it('leaves state out when none was sent, and issues a different code each time', async () => {
    const { emu } = await startEmulator();
    const first = new URL((await submitLogin(emu)).headers.get('location')!);
    const second = new URL((await submitLogin(emu)).headers.get('location')!);
    expect([...first.searchParams.keys()]).toEqual(['code']);
    expect(first.searchParams.get('code')).not.toBe(second.searchParams.get('code'));
  });

  it('appends to a redirect URI that already has a query, keeping it byte for byte', async () => {
    const redirect = 'http://127.0.0.1:5055/cb?tenant=a%20b&x=1';
    const { emu } = await startEmulator();
    emu.upsertApp({ clientId: 'emulator-client', redirectUris: [redirect] });
    const res = await submitLogin(emu, { redirectUri: redirect, state: 's' });
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${redirect}&code=`)).toBe(true);
    expect(location.endsWith('&state=s')).toBe(true);
  });

  it('shows #error with the state preserved on a wrong PIN, OTP or mobile', async () => {
    const { emu } = await startEmulator();
    for (const wrong of [{ pin: '000000' }, { otp: '654321' }, { mobile: '9000000000' }]) {
      const res = await submitLogin(emu, { state: 'keep-me', ...wrong });
      expect(res.status).toBe(401);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('id="error"');
      expect(parseLoginForm(html).hidden.state).toBe('keep-me');
    }
  });

  it('rechecks the carried parameters (a tampered redirect_uri gets UDAPI100068)', async () => {
    const { emu } = await startEmulator();
    const res = await postForm(`${emu.url}/_emulator/login`, {
      client_id: 'emulator-client',
      redirect_uri: 'https://evil.example/cb',
      response_type: 'code',
      mobile: '9999999999',
      otp: '123456',
      pin: '123456',
    });
    await expectUpstoxError(res, 400, 'UDAPI100068');
  });
});
