import { tokenExpiry } from '@hft/time';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  authGet,
  exchange,
  expectUpstoxError,
  loginForCode,
  NEXT_0330,
  postJson,
  START,
  startEmulator,
  upstoxErrors,
} from './helpers.js';

describe('POST /v2/login/authorization/token', () => {
  it('returns the flat token body with every documented field and a JWT access token', async () => {
    const { emu } = await startEmulator();
    const code = await loginForCode(emu);
    const res = await exchange(emu, { code });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'access_token',
        'broker',
        'email',
        'exchanges',
        'extended_token',
        'is_active',
        'order_types',
        'poa',
        'products',
        'user_id',
        'user_name',
        'user_type',
      ].sort(),
    );
    expect(body).toMatchObject({
      email: 'emulator.user@example.com',
      exchanges: ['NSE', 'NFO', 'BSE', 'CDS', 'BFO', 'BCD'],
      products: ['D', 'CO', 'I'],
      broker: 'UPSTOX',
      user_id: 'EMU001',
      user_name: 'Emulator Test User',
      order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
      user_type: 'individual',
      poa: false,
      is_active: true,
    });
    expect(body).not.toHaveProperty('status');
    expect(body).not.toHaveProperty('data');

    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', key_id: 'sk_v1.0', alg: 'HS256' });
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual([
      'exp',
      'iat',
      'isMultiClient',
      'isPlusPlan',
      'iss',
      'jti',
      'sub',
    ]);
    expect(claims).toMatchObject({
      sub: 'EMU001',
      iss: 'udapi-gateway-service',
      isMultiClient: false,
      isPlusPlan: false,
    });
    expect(claims.iat).toBe(START / 1000);
    expect(claims.exp).toBe(NEXT_0330 / 1000);
    expect(claims.exp! * 1000).toBe(tokenExpiry(START));
    expect(typeof claims.jti).toBe('string');

    const extended = decodeJwt(body.extended_token as string);
    expect(extended.exp).toBe((START + 365 * 86_400_000) / 1000);
    expect(extended.jti).not.toBe(claims.jti);
  });

  it('sets exp to 03:30 IST of the same day for a token issued between 00:00 and 03:30 IST', async () => {
    const { emu, clock } = await startEmulator();
    clock.set('2026-01-06T02:30:00+05:30');
    const code = await loginForCode(emu);
    const body = (await (await exchange(emu, { code })).json()) as { access_token: string };
    expect(decodeJwt(body.access_token).exp).toBe(Date.parse('2026-01-06T03:30:00+05:30') / 1000);
  });

  it('keeps the extended token across exchanges unless refresh_extended_token=true', async () => {
    const { emu } = await startEmulator();
    const first = (await (await exchange(emu, { code: await loginForCode(emu) })).json()) as Record<
      string,
      string
    >;
    const second = (await (await exchange(emu, { code: await loginForCode(emu) })).json()) as Record<
      string,
      string
    >;
    expect(second.extended_token).toBe(first.extended_token);
    expect(second.access_token).not.toBe(first.access_token);
    const third = (await (
      await exchange(emu, { code: await loginForCode(emu), refresh_extended_token: 'true' })
    ).json()) as Record<string, string>;
    expect(third.extended_token).not.toBe(first.extended_token);
    await expectUpstoxError(
      await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, first.extended_token!),
      401,
      'UDAPI100050',
    );
    expect((await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, third.extended_token!)).status).toBe(
      200,
    );
  });

  it('leaves extended_token out for an app configured without one', async () => {
    const { emu } = await startEmulator();
    emu.upsertApp({ clientId: 'emulator-client', extendedToken: false });
    const body = (await (await exchange(emu, { code: await loginForCode(emu) })).json()) as Record<
      string,
      unknown
    >;
    expect(body).not.toHaveProperty('extended_token');
    expect(typeof body.access_token).toBe('string');
  });

  it('answers the documented "required" code for each missing field (400)', async () => {
    const { emu } = await startEmulator();
    const cases: Array<[string, string, string]> = [
      ['client_id', 'UDAPI1017', 'API Key is required'],
      ['redirect_uri', 'UDAPI1018', 'Redirect URI is required'],
      ['code', 'UDAPI1022', 'Code is required'],
      ['grant_type', 'UDAPI1023', 'Grant type is required'],
      ['client_secret', 'UDAPI1024', 'App Secret is required'],
    ];
    for (const [field, code, message] of cases) {
      const res = await exchange(emu, { code: 'whatever', [field]: undefined });
      const e = await expectUpstoxError(res, 400, code);
      expect(e).toEqual({ code, message, path: field, value: null });
    }
    const all = await postJsonless(emu.url);
    expect(all.status).toBe(400);
    expect((await upstoxErrors(all)).map((e) => e.code)).toEqual([
      'UDAPI1017',
      'UDAPI1018',
      'UDAPI1022',
      'UDAPI1023',
      'UDAPI1024',
    ]);
  });

  it('rejects a non-form body with UDAPI100036 naming Content-Type', async () => {
    const { emu } = await startEmulator();
    const res = await postJson(`${emu.url}/v2/login/authorization/token`, {
      code: 'x',
      client_id: emu.defaultApp.clientId,
    });
    const e = await expectUpstoxError(res, 400, 'UDAPI100036');
    expect(e.path).toBe('Content-Type');
    expect(e.value).toBe('application/json');
  });

  it('spends a code on first use: the second exchange gets UDAPI100057 "Invalid Auth code"', async () => {
    const { emu } = await startEmulator();
    const code = await loginForCode(emu);
    expect((await exchange(emu, { code })).status).toBe(200);
    const e = await expectUpstoxError(await exchange(emu, { code }), 400, 'UDAPI100057');
    expect(e.message).toBe('Invalid Auth code');
    expect(e.value).toBeNull();
  });

  it('spends a code even when the exchange fails (wrong secret, then the right one)', async () => {
    const { emu } = await startEmulator();
    const code = await loginForCode(emu);
    const wrong = await expectUpstoxError(
      await exchange(emu, { code, client_secret: 'not-the-secret' }),
      401,
      'UDAPI100016',
    );
    expect(wrong).toEqual({ code: 'UDAPI100016', message: 'Invalid Credentials', path: null, value: null });
    await expectUpstoxError(await exchange(emu, { code }), 400, 'UDAPI100057');
  });

  it('spends a code named by a request rejected for its content type or a missing field', async () => {
    const { emu } = await startEmulator();
    const first = await loginForCode(emu);
    await postJson(`${emu.url}/v2/login/authorization/token`, { code: first });
    await expectUpstoxError(await exchange(emu, { code: first }), 400, 'UDAPI100057');
    const second = await loginForCode(emu);
    await expectUpstoxError(await exchange(emu, { code: second, grant_type: undefined }), 400, 'UDAPI1023');
    await expectUpstoxError(await exchange(emu, { code: second }), 400, 'UDAPI100057');
  });

  it('expires codes after codeTtlMs by the emulator clock', async () => {
    const { emu, clock } = await startEmulator({ codeTtlMs: 60_000 });
    const fresh = await loginForCode(emu);
    clock.advance(59_999);
    expect((await exchange(emu, { code: fresh })).status).toBe(200);
    const stale = await loginForCode(emu);
    clock.advance(60_000);
    await expectUpstoxError(await exchange(emu, { code: stale }), 400, 'UDAPI100057');
  });

  it('uses a 10-minute code lifetime by default', async () => {
    const { emu, clock } = await startEmulator();
    const code = await loginForCode(emu);
    clock.advance(10 * 60_000);
    await expectUpstoxError(await exchange(emu, { code }), 400, 'UDAPI100057');
  });

  it('answers UDAPI100016 for an unknown client and never echoes secrets or codes', async () => {
    const { emu } = await startEmulator();
    const code = await loginForCode(emu);
    const res = await exchange(emu, { code, client_id: 'nobody', client_secret: 'top-secret-value' });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('UDAPI100016');
    expect(text).not.toContain('top-secret-value');
    expect(text).not.toContain(code);
  });

  it('answers UDAPI100073 for an inactive app', async () => {
    const { emu } = await startEmulator();
    const code = await loginForCode(emu);
    emu.upsertApp({ clientId: 'emulator-client', active: false });
    await expectUpstoxError(await exchange(emu, { code }), 401, 'UDAPI100073');
  });

  it('answers UDAPI100036 for a grant_type other than authorization_code', async () => {
    const { emu } = await startEmulator();
    const e = await expectUpstoxError(
      await exchange(emu, { code: await loginForCode(emu), grant_type: 'refresh_token' }),
      400,
      'UDAPI100036',
    );
    expect(e.path).toBe('grant_type');
  });

  it('answers UDAPI100068 when redirect_uri differs from the one the code was issued for', async () => {
    const { emu } = await startEmulator();
    emu.upsertApp({
      clientId: 'emulator-client',
      redirectUris: ['http://127.0.0.1:5055/callback', 'http://127.0.0.1:5055/other'],
    });
    const code = await loginForCode(emu);
    const e = await expectUpstoxError(
      await exchange(emu, { code, redirect_uri: 'http://127.0.0.1:5055/other' }),
      400,
      'UDAPI100068',
    );
    expect(e.path).toBe('redirect_uri');
  });

  it('answers UDAPI100057 for a code issued to another app', async () => {
    const { emu } = await startEmulator();
    emu.upsertApp({
      clientId: 'second-app',
      clientSecret: 'second-secret',
      redirectUris: ['http://127.0.0.1:5055/callback'],
      ownerUserId: 'EMU001',
    });
    const code = await loginForCode(emu, { clientId: 'second-app' });
    await expectUpstoxError(await exchange(emu, { code }), 400, 'UDAPI100057');
  });

  it('answers UDAPI100058 with the documented message for a user without active segments', async () => {
    const { emu } = await startEmulator();
    emu.upsertUser({ userId: 'EMU001', segmentsActive: false });
    const e = await expectUpstoxError(
      await exchange(emu, { code: await loginForCode(emu) }),
      400,
      'UDAPI100058',
    );
    expect(e.message).toBe(
      'No segments for these users are active. Manual reactivation is recommended from Upstox app/web.',
    );
  });
});

function postJsonless(base: string): Promise<Response> {
  return fetch(`${base}/v2/login/authorization/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
}
