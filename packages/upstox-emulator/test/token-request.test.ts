import { AuthError, ErrorCodes, InputError } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import {
  authGet,
  expectUpstoxError,
  get,
  NEXT_0330,
  postForm,
  postJson,
  START,
  startEmulator,
  startReceiver,
} from './helpers.js';

async function withNotifier(status = 200) {
  const receiver = await startReceiver(status);
  const started = await startEmulator();
  started.emu.upsertApp({ clientId: 'emulator-client', notifierUrl: `${receiver.url}/hooks/upstox` });
  return { ...started, receiver };
}

function requestToken(base: string, clientId: string, body: unknown): Promise<Response> {
  return postJson(`${base}/v3/login/auth/token/request/${encodeURIComponent(clientId)}`, body);
}

describe('POST /v3/login/auth/token/request/:client_id', () => {
  it('answers authorization_expiry (epoch ms string, next 03:30 IST) and the notifier URL', async () => {
    const { emu, receiver } = await withNotifier();
    const res = await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      data: { authorization_expiry: String(NEXT_0330), notifier_url: `${receiver.url}/hooks/upstox` },
    });
    expect(emu.pendingRequests()).toMatchObject([
      { clientId: 'emulator-client', userId: 'EMU001', requestedAt: START, authorizationExpiry: NEXT_0330 },
    ]);
  });

  it('approve() issues a token for the owner and POSTs the documented payload to the notifier', async () => {
    const { emu, clock, receiver } = await withNotifier();
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    clock.advance(7.5 * 3_600_000); // approved at 17:30 IST
    const delivery = await emu.approve();
    expect(delivery.statusCode).toBe(200);
    expect(delivery.error).toBeUndefined();
    expect(receiver.received).toHaveLength(1);
    const hit = receiver.received[0]!;
    expect(hit.method).toBe('POST');
    expect(hit.path).toBe('/hooks/upstox');
    expect(hit.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(hit.body) as Record<string, string>;
    expect(Object.keys(payload).sort()).toEqual(
      [
        'access_token',
        'client_id',
        'expires_at',
        'issued_at',
        'message_type',
        'token_type',
        'user_id',
      ].sort(),
    );
    expect(payload).toMatchObject({
      client_id: 'emulator-client',
      user_id: 'EMU001',
      token_type: 'Bearer',
      message_type: 'access_token',
      issued_at: String(START + 7.5 * 3_600_000),
      expires_at: String(NEXT_0330),
    });
    expect(delivery.payload).toEqual(payload);
    expect(emu.deliveries).toEqual([delivery]);
    expect(emu.pendingRequests()).toEqual([]);
    const profile = await authGet(`${emu.url}/v2/user/profile`, payload.access_token!);
    expect(profile.status).toBe(200);
  });

  it('records a failed delivery (receiver down, or answering 500) instead of throwing', async () => {
    const { emu, receiver } = await withNotifier(500);
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    expect((await emu.approve()).statusCode).toBe(500);
    await receiver.close();
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    const down = await emu.approve();
    expect(down.statusCode).toBeUndefined();
    expect(down.error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(emu.deliveries).toHaveLength(2);
  });

  it('reject() discards the request and sends nothing', async () => {
    const { emu, receiver } = await withNotifier();
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    const rejected = emu.reject('emulator-client');
    expect(rejected.clientId).toBe('emulator-client');
    expect(emu.pendingRequests()).toEqual([]);
    expect(emu.deliveries).toEqual([]);
    expect(receiver.received).toEqual([]);
    await expect(emu.approve()).rejects.toBeInstanceOf(InputError);
  });

  it('refuses to approve a request past its authorization expiry', async () => {
    const { emu, clock, receiver } = await withNotifier();
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    clock.set(NEXT_0330);
    expect(emu.pendingRequests()).toEqual([]);
    const error = await emu.approve().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe(ErrorCodes.AUTH_TIMEOUT);
    expect(receiver.received).toEqual([]);
  });

  it('lets a new request supersede the pending one', async () => {
    const { emu, clock } = await withNotifier();
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    const [first] = emu.pendingRequests();
    clock.advance(60_000);
    const again = await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    expect(again.status).toBe(200);
    const pending = emu.pendingRequests();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.id).not.toBe(first!.id);
    expect(pending[0]!.requestedAt).toBe(START + 60_000);
  });

  it('accepts the secret as a form body too (the docs\u2019 Python sample)', async () => {
    const { emu } = await withNotifier();
    const res = await postForm(`${emu.url}/v3/login/auth/token/request/emulator-client`, {
      client_secret: 'emulator-secret',
    });
    expect(res.status).toBe(200);
  });

  it('answers mapping A error codes', async () => {
    const { emu } = await withNotifier();
    const missing = await expectUpstoxError(
      await requestToken(emu.url, 'emulator-client', {}),
      400,
      'UDAPI1024',
    );
    expect(missing.path).toBe('client_secret');
    await expectUpstoxError(
      await postJson(`${emu.url}/v3/login/auth/token/request/`, { client_secret: 'x' }),
      400,
      'UDAPI1017',
    );
    const bad = await requestToken(emu.url, 'emulator-client', { client_secret: 'wrong-secret-123' });
    expect(bad.status).toBe(401);
    const text = await bad.text();
    expect(text).toContain('UDAPI100069');
    expect(text).not.toContain('wrong-secret-123');
    await expectUpstoxError(
      await requestToken(emu.url, 'nobody', { client_secret: 'emulator-secret' }),
      401,
      'UDAPI100069',
    );

    emu.upsertApp({ clientId: 'emulator-client', individual: false });
    await expectUpstoxError(
      await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' }),
      400,
      'UDAPI1124',
    );
    emu.upsertApp({ clientId: 'emulator-client', individual: true, notifierUrl: null });
    await expectUpstoxError(
      await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' }),
      400,
      'UDAPI1123',
    );
    emu.upsertApp({ clientId: 'emulator-client', active: false });
    await expectUpstoxError(
      await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' }),
      401,
      'UDAPI100073',
    );
    expect(emu.pendingRequests()).toEqual([]);
  });

  it('rejects other content types and malformed JSON with UDAPI100036', async () => {
    const { emu } = await withNotifier();
    const url = `${emu.url}/v3/login/auth/token/request/emulator-client`;
    const text = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    await expectUpstoxError(text, 400, 'UDAPI100036');
    const broken = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    await expectUpstoxError(broken, 400, 'UDAPI100036');
  });
});

describe('approvals page /_emulator/approvals', () => {
  function form(html: string): { id: string } {
    const id = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
    expect(id).toBeDefined();
    return { id: id! };
  }

  it('lists pending requests and approves with the owner PIN', async () => {
    const { emu, receiver } = await withNotifier();
    expect(await (await get(`${emu.url}/_emulator/approvals`)).text()).toContain('id="empty"');
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    const html = await (await get(`${emu.url}/_emulator/approvals`)).text();
    const { id } = form(html);
    for (const el of [`id="pin-${id}"`, `id="approve-${id}"`, `id="reject-${id}"`])
      expect(html).toContain(el);

    const wrong = await postForm(`${emu.url}/_emulator/approvals`, {
      request_id: id,
      pin: '000000',
      decision: 'approve',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('id="error"');
    expect(receiver.received).toEqual([]);

    const ok = await postForm(`${emu.url}/_emulator/approvals`, {
      request_id: id,
      pin: '123456',
      decision: 'approve',
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/id="result"[^>]*>Approved.*HTTP 200/);
    expect(receiver.received).toHaveLength(1);
  });

  it('rejects with the PIN and sends nothing; an expired request cannot be approved', async () => {
    const { emu, clock, receiver } = await withNotifier();
    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    let { id } = form(await (await get(`${emu.url}/_emulator/approvals`)).text());
    const rejected = await postForm(`${emu.url}/_emulator/approvals`, {
      request_id: id,
      pin: '123456',
      decision: 'reject',
    });
    expect(await rejected.text()).toContain('Rejected');
    expect(emu.pendingRequests()).toEqual([]);

    await requestToken(emu.url, 'emulator-client', { client_secret: 'emulator-secret' });
    ({ id } = form(await (await get(`${emu.url}/_emulator/approvals`)).text()));
    clock.set(NEXT_0330 + 1);
    const late = await postForm(`${emu.url}/_emulator/approvals`, {
      request_id: id,
      pin: '123456',
      decision: 'approve',
    });
    expect(late.status).toBe(410);
    expect(receiver.received).toEqual([]);
  });
});
