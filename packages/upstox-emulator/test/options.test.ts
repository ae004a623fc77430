import { InputError } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import { DEFAULT_APP, DEFAULT_USER, startUpstoxEmulator, type UpstoxEmulatorOptions } from '../src/index.js';
import { startEmulator } from './helpers.js';

async function argumentOf(options: unknown): Promise<string | undefined> {
  const error = await startUpstoxEmulator(options as UpstoxEmulatorOptions).then(
    async (emu) => {
      await emu.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).details.argument;
}

const user = {
  userId: 'U1',
  userName: 'U',
  email: 'u@example.com',
  mobile: '9000000000',
  otp: '111111',
  pin: '222222',
};
const app = { clientId: 'c', clientSecret: 's', redirectUris: ['http://127.0.0.1/cb'], ownerUserId: 'U1' };

describe('options', () => {
  it('words bad options as the shared argument checks do (what it got, never the value)', async () => {
    const messageOf = (options: unknown) =>
      startUpstoxEmulator(options as UpstoxEmulatorOptions).then(
        async (emu) => {
          await emu.close();
          return 'started';
        },
        (e: unknown) => (e as Error).message,
      );
    expect(await messageOf({ users: [{ ...user, otp: '12345' }] })).toBe(
      'users[0].otp must be 6 digits; got a string of another form',
    );
    expect(await messageOf({ port: 70000 })).toBe('port must be an integer from 0 to 65535; got 70000');
    expect(await messageOf({ users: [{ ...user, poa: 'yes' }] })).toBe(
      'users[0].poa must be a boolean; got a string',
    );
    expect(await messageOf({ codeTtlMs: 0 })).toBe(
      'codeTtlMs must be a finite number of milliseconds > 0; got 0',
    );
    expect(await messageOf({ apps: [{ ...app, ownerUserId: 'NOBODY' }], users: [user] })).toBe(
      'apps[0].ownerUserId names no configured user (NOBODY)',
    );
  });

  it('provides the documented default app and test user', async () => {
    const { emu } = await startEmulator();
    expect(emu.defaultApp).toEqual({
      clientId: 'emulator-client',
      clientSecret: 'emulator-secret',
      redirectUris: ['http://127.0.0.1:5055/callback'],
      notifierUrl: undefined,
      ownerUserId: 'EMU001',
      active: true,
      individual: true,
      multiClient: false,
      extendedToken: true,
    });
    expect(emu.defaultUser).toEqual({ ...DEFAULT_USER });
    expect(DEFAULT_APP.clientId).toBe('emulator-client');
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.port).toBeGreaterThan(0);
  });

  it('throws InputError naming the field at fault', async () => {
    expect(await argumentOf({ port: 70000 })).toBe('port');
    expect(await argumentOf({ host: '' })).toBe('host');
    expect(await argumentOf({ users: [] })).toBe('users');
    expect(await argumentOf({ users: [{ ...user, mobile: '12' }] })).toBe('users[0].mobile');
    expect(await argumentOf({ users: [{ ...user, pin: 'abcdef' }] })).toBe('users[0].pin');
    expect(await argumentOf({ users: [user, { ...user, userId: 'U2' }] })).toBe('users[1].mobile');
    expect(await argumentOf({ users: [user], apps: [{ ...app, ownerUserId: 'X' }] })).toBe(
      'apps[0].ownerUserId',
    );
    expect(await argumentOf({ users: [user], apps: [{ ...app, redirectUris: [] }] })).toBe(
      'apps[0].redirectUris',
    );
    expect(await argumentOf({ users: [user], apps: [{ ...app, redirectUris: ['http://a/cb#x'] }] })).toBe(
      'apps[0].redirectUris[0]',
    );
    expect(await argumentOf({ users: [user], apps: [{ ...app, notifierUrl: 'ftp://x' }] })).toBe(
      'apps[0].notifierUrl',
    );
    expect(await argumentOf({ users: [user], apps: [app, app] })).toBe('apps[1].clientId');
    expect(await argumentOf({ clock: {} })).toBe('clock');
    expect(await argumentOf({ codeTtlMs: 0 })).toBe('codeTtlMs');
    expect(await argumentOf({ rateLimits: { standard: { perSecond: 1.5 } } })).toBe(
      'rateLimits.standard.perSecond',
    );
    expect(await argumentOf({ rateLimits: { orders: {} } })).toBe('rateLimits.orders');
    expect(await argumentOf({ faults: { nope: { status: 500 } } })).toBe('faults["nope"]');
  });

  it('never puts a secret into an error message', async () => {
    const error = await startUpstoxEmulator({
      users: [user],
      apps: [{ ...app, clientSecret: 'hunter2-secret', redirectUris: ['not a url'] }],
    }).catch((e: unknown) => e);
    expect(String((error as Error).message)).not.toContain('hunter2-secret');
  });

  it('reports a port in use as InputError(port)', async () => {
    const { emu } = await startEmulator();
    expect(await argumentOf({ port: emu.port })).toBe('port');
  });

  it('builds the authorize URL with response_type=code', async () => {
    const { emu } = await startEmulator();
    const url = new URL(emu.authorizeUrl({ state: 'x' }));
    expect(url.pathname).toBe('/v2/login/authorization/dialog');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'emulator-client',
      redirect_uri: 'http://127.0.0.1:5055/callback',
      response_type: 'code',
      state: 'x',
    });
  });
});
