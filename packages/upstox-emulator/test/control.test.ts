import { describe, expect, it } from 'vitest';
import {
  authGet,
  get,
  loginForCode,
  NEXT_0330,
  postJson,
  START,
  startEmulator,
  startReceiver,
} from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON answers keep the assertions short.
type Json = any;

async function control(base: string, method: string, name: string, body?: unknown) {
  const res = await fetch(`${base}/_emulator/${name}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as { status: string; data?: Json; error?: Json } };
}

describe('control routes /_emulator/*', () => {
  it('GET/DELETE requests exposes and clears the request log (control traffic excluded)', async () => {
    const { emu } = await startEmulator();
    await loginForCode(emu, { state: 's1' });
    await fetch(`${emu.url}/v2/user/profile`, { headers: { authorization: 'Bearer abc' } });
    const { body } = await control(emu.url, 'GET', 'requests');
    expect(body.data.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/login/authorization/dialog',
      'POST /_emulator/login',
      'GET /v2/user/profile',
    ]);
    const [dialog, login, profile] = body.data;
    expect(dialog).toMatchObject({
      id: 1,
      query: { state: 's1', response_type: 'code' },
      time: START,
      status: 200,
    });
    expect(dialog.route).toBe('GET /v2/login/authorization/dialog');
    expect(login.body).toMatchObject({ mobile: '9999999999', state: 's1' });
    expect(login.status).toBe(302);
    expect(profile.headers.authorization).toBe('Bearer abc');
    expect(profile.status).toBe(401);
    expect(emu.requests).toHaveLength(3);
    expect((await control(emu.url, 'DELETE', 'requests')).body.data).toBe(true);
    expect(emu.requests).toHaveLength(0);
  });

  it('POST clock sets or advances the emulator clock (Date header follows)', async () => {
    const { emu } = await startEmulator();
    const set = await control(emu.url, 'POST', 'clock', { set: NEXT_0330 });
    expect(set.body.data).toEqual({ now: NEXT_0330, iso: '2026-01-06T03:30:00.000+05:30' });
    const adv = await control(emu.url, 'POST', 'clock', { advanceMs: 1000 });
    expect(adv.body.data.now).toBe(NEXT_0330 + 1000);
    expect(emu.clock.now()).toBe(NEXT_0330 + 1000);
    expect((await get(`${emu.url}/x`)).headers.get('date')).toBe(new Date(NEXT_0330 + 1000).toUTCString());
    const bad = await control(emu.url, 'POST', 'clock', { advanceMs: -5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('HFT_INPUT_INVALID');
    expect(bad.body.error.message).toBe('advanceMs must be a finite number >= 0 of milliseconds; got -5');
    expect((await control(emu.url, 'POST', 'clock', {})).status).toBe(400);
  });

  it('POST apps adds or updates an app (secret never shown); GET apps lists them', async () => {
    const { emu } = await startEmulator();
    const updated = await control(emu.url, 'POST', 'apps', {
      clientId: 'emulator-client',
      redirectUris: ['http://127.0.0.1:5055/callback', 'http://127.0.0.1:7777/cb'],
      notifierUrl: 'http://127.0.0.1:7777/notify',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).not.toHaveProperty('clientSecret');
    expect(updated.body.data.notifierUrl).toBe('http://127.0.0.1:7777/notify');
    expect((await get(emu.authorizeUrl({ redirectUri: 'http://127.0.0.1:7777/cb' }))).status).toBe(200);

    const added = await control(emu.url, 'POST', 'apps', {
      clientId: 'second',
      clientSecret: 'second-secret',
      redirectUris: ['https://example.com/cb'],
      ownerUserId: 'EMU001',
    });
    expect(added.status).toBe(200);
    const list = await control(emu.url, 'GET', 'apps');
    expect(list.body.data.map((a: { clientId: string }) => a.clientId)).toEqual([
      'emulator-client',
      'second',
    ]);
    expect(JSON.stringify(list.body)).not.toContain('secret"');

    const bad = await control(emu.url, 'POST', 'apps', { clientId: 'third', redirectUris: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/app\.clientSecret/);
  });

  it('POST/GET/DELETE faults manage faults', async () => {
    const { emu } = await startEmulator();
    const set = await control(emu.url, 'POST', 'faults', {
      route: 'GET /v2/login/authorization/dialog',
      fault: { status: 500, times: 1 },
    });
    expect(set.body.data).toEqual({ 'GET /v2/login/authorization/dialog': { status: 500, times: 1 } });
    expect((await get(emu.authorizeUrl())).status).toBe(500);
    await control(emu.url, 'POST', 'faults', { faults: { '*': { status: 503 } } });
    expect((await get(emu.authorizeUrl())).status).toBe(503);
    expect((await control(emu.url, 'GET', 'faults')).body.data).toEqual({ '*': { status: 503 } });
    await control(emu.url, 'DELETE', 'faults');
    expect((await get(emu.authorizeUrl())).status).toBe(200);
    expect((await control(emu.url, 'POST', 'faults', { route: '*', fault: { status: 200 } })).status).toBe(
      400,
    );
  });

  it('POST approve / reject drive v3 requests; GET pending and deliveries report them', async () => {
    const receiver = await startReceiver();
    const { emu, clock } = await startEmulator();
    await control(emu.url, 'POST', 'apps', { clientId: 'emulator-client', notifierUrl: receiver.url });
    expect((await control(emu.url, 'POST', 'approve', {})).status).toBe(400);

    await postJson(`${emu.url}/v3/login/auth/token/request/emulator-client`, {
      client_secret: 'emulator-secret',
    });
    expect((await control(emu.url, 'GET', 'pending')).body.data).toHaveLength(1);
    const approved = await control(emu.url, 'POST', 'approve', { clientId: 'emulator-client' });
    expect(approved.status).toBe(200);
    expect(approved.body.data.statusCode).toBe(200);
    expect(receiver.received).toHaveLength(1);
    expect((await control(emu.url, 'GET', 'deliveries')).body.data).toHaveLength(1);

    await postJson(`${emu.url}/v3/login/auth/token/request/emulator-client`, {
      client_secret: 'emulator-secret',
    });
    const rejected = await control(emu.url, 'POST', 'reject');
    expect(rejected.body.data.clientId).toBe('emulator-client');
    expect(receiver.received).toHaveLength(1);

    await postJson(`${emu.url}/v3/login/auth/token/request/emulator-client`, {
      client_secret: 'emulator-secret',
    });
    clock.set(NEXT_0330);
    const late = await control(emu.url, 'POST', 'approve');
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('HFT_AUTH_TIMEOUT');
  });

  it('POST tokens mints a token; POST revoke revokes it; POST users adds a user', async () => {
    const { emu } = await startEmulator();
    const user = await control(emu.url, 'POST', 'users', {
      userId: 'NEW001',
      userName: 'New',
      email: 'new@example.com',
      mobile: '9123456789',
      otp: '111111',
      pin: '222222',
    });
    expect(user.status).toBe(200);
    expect(user.body.data).not.toHaveProperty('pin');
    const minted = await control(emu.url, 'POST', 'tokens', { userId: 'NEW001' });
    expect(minted.body.data.user_id).toBe('NEW001');
    const token = minted.body.data.access_token as string;
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200);
    expect((await control(emu.url, 'POST', 'revoke', { accessToken: token })).body.data).toBe(true);
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(401);
    expect((await control(emu.url, 'POST', 'tokens', { clientId: 'nope' })).status).toBe(400);
    const dup = await control(emu.url, 'POST', 'users', {
      userId: 'NEW002',
      userName: 'x',
      email: 'x@y',
      mobile: '9999999999',
      otp: '111111',
      pin: '111111',
    });
    expect(dup.status).toBe(400);
  });

  it('rejects a control body that is not JSON', async () => {
    const { emu } = await startEmulator();
    const res = await fetch(`${emu.url}/_emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(res.status).toBe(400);
  });
});
