import UpstoxClient from 'upstox-js-sdk';
import { describe, expect, it } from 'vitest';
import { loginForCode, NEXT_0330, startEmulator, startReceiver } from './helpers.js';

/** The profile fields the SDK's models fill (camelCase), in the token body and the profile. */
const PROFILE_FIELDS = [
  'email',
  'exchanges',
  'products',
  'broker',
  'userId',
  'userName',
  'orderTypes',
  'userType',
  'poa',
  'isActive',
];

/** Promisifies one callback-style SDK call. */
function call<T>(run: (cb: (error: unknown, data: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, data) => (error ? reject(error) : resolve(data))));
}

/** Every own enumerable field and every prototype-declared field must be filled. */
function expectFilled(model: Record<string, unknown>, fields: string[]): void {
  for (const field of fields) {
    expect(model[field], `SDK model field ${field}`).not.toBeUndefined();
    expect(model[field], `SDK model field ${field}`).not.toBeNull();
  }
}

describe('official upstox-js-sdk against the emulator', () => {
  it('exchanges a code, reads the profile, requests a v3 token and logs out', async () => {
    const receiver = await startReceiver();
    const { emu } = await startEmulator();
    emu.upsertApp({ clientId: 'emulator-client', notifierUrl: `${receiver.url}/notify` });
    const client = new UpstoxClient.ApiClient();
    client.basePath = emu.url;
    client.orderBasePath = emu.url;
    client.timeout = 5000;
    const login = new UpstoxClient.LoginApi(client);
    const users = new UpstoxClient.UserApi(client);

    const code = await loginForCode(emu);
    const token = await call<Record<string, unknown>>((cb) =>
      login.token(
        '2.0',
        {
          code,
          clientId: emu.defaultApp.clientId,
          clientSecret: emu.defaultApp.clientSecret,
          redirectUri: emu.defaultApp.redirectUris[0]!,
          grantType: 'authorization_code',
        },
        cb,
      ),
    );
    expect(token.constructor.name).toBe('TokenResponse');
    expectFilled(token, [...PROFILE_FIELDS, 'accessToken', 'extendedToken']);
    expect(token.userId).toBe('EMU001');
    expect(token.orderTypes).toEqual(['MARKET', 'LIMIT', 'SL', 'SL-M']);
    const sent = emu.requests.find((r) => r.path === '/v2/login/authorization/token')!;
    expect(sent.headers['api-version']).toBe('2.0');
    expect(sent.headers['user-agent']).toBe('udapi-nodejs-sdk');

    client.authentications.OAUTH2.accessToken = token.accessToken as string;
    const profile = await call<{ status: string; data: Record<string, unknown> }>((cb) =>
      users.getProfile('2.0', cb),
    );
    expect(profile.status).toBe('success');
    expect(profile.data.constructor.name).toBe('ProfileData');
    expectFilled(profile.data, PROFILE_FIELDS);

    const request = new UpstoxClient.IndieUserTokenRequest();
    request.clientSecret = emu.defaultApp.clientSecret;
    const init = await call<{ status: string; data: Record<string, unknown> }>((cb) =>
      login.initTokenRequestForIndieUser(request, emu.defaultApp.clientId, cb),
    );
    expect(init.status).toBe('success');
    expectFilled(init.data, ['authorizationExpiry', 'notifierUrl']);
    expect(init.data.authorizationExpiry).toBe(String(NEXT_0330));
    expect(init.data.notifierUrl).toBe(`${receiver.url}/notify`);
    const v3 = emu.requests.find((r) => r.path.startsWith('/v3/'))!;
    expect(v3.body).toEqual({ client_secret: emu.defaultApp.clientSecret });
    expect(v3.headers.authorization).toBeUndefined();

    const logout = await call<{ status: string; data: boolean }>((cb) => login.logout('2.0', cb));
    expect(logout).toMatchObject({ status: 'success', data: true });

    const after = await call((cb) => users.getProfile('2.0', cb)).then(
      () => undefined,
      (e: unknown) => e as { status?: number; response?: { text?: string } },
    );
    expect(after?.status).toBe(401);
    expect(JSON.parse(after?.response?.text ?? '{}').errors[0].errorCode).toBe('UDAPI100050');
  });

  it('surfaces the error envelope of a spent code through the SDK', async () => {
    const { emu } = await startEmulator();
    const client = new UpstoxClient.ApiClient();
    client.basePath = emu.url;
    const login = new UpstoxClient.LoginApi(client);
    const code = await loginForCode(emu);
    const opts = {
      code,
      clientId: emu.defaultApp.clientId,
      clientSecret: 'wrong',
      redirectUri: emu.defaultApp.redirectUris[0]!,
      grantType: 'authorization_code',
    };
    const first = await call((cb) => login.token('2.0', opts, cb)).catch((e: { status?: number }) => e);
    expect((first as { status?: number }).status).toBe(401);
    const second = await call((cb) =>
      login.token('2.0', { ...opts, clientSecret: emu.defaultApp.clientSecret }, cb),
    ).catch((e: { response?: { text?: string } }) => e);
    expect(JSON.parse((second as { response: { text: string } }).response.text).errors[0].error_code).toBe(
      'UDAPI100057',
    );
  });
});
