import { describe, expect, it } from 'vitest';
import { DEFAULT_ORDER_LIMITS, ORDER_PATHS, type OrderPath, type UpstoxEmulator } from '../src/index.js';
import { ROUTES } from '../src/router.js';
import {
  authFetch,
  authGet,
  expectUpstoxError,
  ORDER_BODY,
  orderRequest,
  START,
  startEmulator,
} from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON answers keep the assertions short.
type Json = any;

function order(
  emu: UpstoxEmulator,
  path: OrderPath,
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  const { query, json } = orderRequest(path.category);
  return authFetch(`${emu.url}${path.path}${query}`, token, { method: path.method, json, headers });
}

/** An emulator whose default user registered the loopback address, and a daily token. */
async function registered(options: Parameters<typeof startEmulator>[0] = {}) {
  const started = await startEmulator(options);
  started.emu.setStaticIps({ ips: ['127.0.0.1'] });
  const token = (await started.emu.issueToken()).access_token;
  return { ...started, token };
}

const PLACE = ORDER_PATHS.find((p) => p.path === '/v2/order/place')!;

describe('order paths (ORDER_PATHS)', () => {
  it('lists the 2026 order paths once, each served by exactly one order route', () => {
    expect(ORDER_PATHS.map((p) => `${p.method} ${p.path}`)).toEqual([
      'POST /v2/order/place',
      'PUT /v2/order/modify',
      'DELETE /v2/order/cancel',
      'POST /v3/order/place',
      'PUT /v3/order/modify',
      'DELETE /v3/order/cancel',
      'POST /v2/order/multi/place',
      'DELETE /v2/order/multi/cancel',
      'POST /v2/order/positions/exit',
      'POST /v3/order/gtt/place',
      'PUT /v3/order/gtt/modify',
      'DELETE /v3/order/gtt/cancel',
    ]);
    for (const path of ORDER_PATHS) {
      const routes = ROUTES.filter((r) => r.method === path.method && r.pattern === path.path);
      expect(routes).toHaveLength(1);
      expect(routes[0]).toMatchObject({ auth: 'order', category: 'order', order: path });
    }
    expect(ROUTES.filter((r) => r.order).length).toBe(ORDER_PATHS.length);
    expect(DEFAULT_ORDER_LIMITS).toEqual({ perSecond: 10, perMinute: 500, perThirtyMinutes: 2000 });
  });

  it('answers each path with its documented success shape', async () => {
    const { emu, token } = await registered({ rateLimits: false });
    const bodies: Record<string, Json> = {};
    for (const path of ORDER_PATHS) {
      const res = await order(emu, path, token);
      expect(res.status, `${path.method} ${path.path}`).toBe(200);
      bodies[`${path.method} ${path.path}`] = await res.json();
    }
    const id = expect.stringMatching(/^260105\d{9}$/);
    expect(bodies['POST /v2/order/place']).toEqual({ status: 'success', data: { order_id: id } });
    expect(bodies['POST /v3/order/place']).toEqual({
      status: 'success',
      data: { order_ids: [id] },
      metadata: { latency: 1 },
    });
    expect(bodies['PUT /v2/order/modify']).toEqual({
      status: 'success',
      data: { order_id: '260105000000001' },
    });
    expect(bodies['DELETE /v3/order/cancel']).toEqual({
      status: 'success',
      data: { order_id: '260105000000001' },
      metadata: { latency: 1 },
    });
    expect(bodies['POST /v2/order/multi/place']).toEqual({
      status: 'success',
      data: [{ correlation_id: 'c1', order_id: id }],
      summary: { total: 1, success: 1, error: 0 },
    });
    for (const key of ['DELETE /v2/order/multi/cancel', 'POST /v2/order/positions/exit']) {
      expect(bodies[key]).toEqual({
        status: 'success',
        data: { order_ids: [] },
        summary: { total: 0, success: 0, error: 0 },
      });
    }
    expect(bodies['POST /v3/order/gtt/place']).toEqual({
      status: 'success',
      data: { gtt_order_ids: [expect.stringMatching(/^GTT-C260105\d{9}$/)] },
      metadata: { latency: 1 },
    });
    expect(bodies['DELETE /v3/order/gtt/cancel'].data).toEqual({ gtt_order_ids: ['GTT-C260105000000001'] });
  });

  it('rejects malformed order bodies with 400 UDAPI100036 naming the field', async () => {
    const { emu, token } = await registered({ rateLimits: false });
    const url = `${emu.url}/v2/order/place`;
    const noQty = await authFetch(url, token, { method: 'POST', json: { ...ORDER_BODY, quantity: 0 } });
    expect((await expectUpstoxError(noQty, 400, 'UDAPI100036')).path).toBe('quantity');
    const notJson = await authFetch(url, token, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    expect((await expectUpstoxError(notJson, 400, 'UDAPI100036')).path).toBe('body');
    const cancel = await authFetch(`${emu.url}/v2/order/cancel`, token, { method: 'DELETE' });
    expect((await expectUpstoxError(cancel, 400, 'UDAPI100036')).path).toBe('order_id');
    const multi = await authFetch(`${emu.url}/v2/order/multi/place`, token, {
      method: 'POST',
      json: [{ ...ORDER_BODY }],
    });
    expect((await expectUpstoxError(multi, 400, 'UDAPI100036')).path).toBe('[0].correlation_id');
  });

  it('needs a daily token on every path: extended and analytics get 403 UDAPI100067, none 401', async () => {
    const { emu } = await registered({ rateLimits: false });
    const extended = (await emu.issueToken()).extended_token!;
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    for (const path of ORDER_PATHS) {
      await expectUpstoxError(await order(emu, path, extended), 403, 'UDAPI100067');
      await expectUpstoxError(await order(emu, path, analytics), 403, 'UDAPI100067');
      await expectUpstoxError(await order(emu, path, undefined), 401, 'UDAPI100050');
    }
  });

  it('refuses every path from an unregistered origin: 403 UDAPI1154 naming both IPs', async () => {
    const { emu } = await startEmulator({ rateLimits: false });
    const token = (await emu.issueToken()).access_token;
    for (const path of ORDER_PATHS) {
      const e = await expectUpstoxError(await order(emu, path, token), 403, 'UDAPI1154');
      expect(e.message).toBe(
        'Access to this API is blocked due to static IP restrictions: ' +
          'configured static IP (203.0.113.10) does not match origin IP (127.0.0.1)',
      );
    }
    emu.setStaticIps({ ips: [] });
    const none = await expectUpstoxError(await order(emu, PLACE, token), 403, 'UDAPI1154');
    expect(none.message).toBe('No static IP has been configured');
    emu.setStaticIps({ ips: ['198.51.100.7', '::1'] });
    const two = await expectUpstoxError(await order(emu, PLACE, token), 403, 'UDAPI1154');
    expect(two.message).toContain(
      'configured static IP (198.51.100.7, ::1) does not match origin IP (127.0.0.1)',
    );
    // Other APIs are not IP-restricted for a daily token.
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200);
  });

  it('the ipNotRegistered fault refuses order paths only, and counts only there', async () => {
    const { emu, token } = await registered();
    emu.setFault('*', { ipNotRegistered: true, times: 1 });
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200);
    const e = await expectUpstoxError(await order(emu, PLACE, token), 403, 'UDAPI1154');
    expect(e.message).toContain('does not match origin IP (127.0.0.1)');
    expect((await order(emu, PLACE, token)).status).toBe(200);
    expect(() => emu.setFault('*', { ipNotRegistered: true, hang: true })).toThrow(/only one of/);
  });

  it('requires X-Algo-Name from an algo app: missing or unknown -> 400 UDAPI100036', async () => {
    const { emu, token } = await registered({ rateLimits: false });
    expect((await order(emu, PLACE, token)).status).toBe(200); // not an algo app
    emu.upsertApp({ clientId: 'emulator-client', algoNames: ['momentum-1'] });
    for (const path of ORDER_PATHS) {
      const e = await expectUpstoxError(await order(emu, path, token), 400, 'UDAPI100036');
      expect(e.path).toBe('X-Algo-Name');
    }
    const wrong = await order(emu, PLACE, token, { 'x-algo-name': 'other' });
    expect(await expectUpstoxError(wrong, 400, 'UDAPI100036')).toMatchObject({
      path: 'X-Algo-Name',
      value: 'other',
    });
    for (const path of ORDER_PATHS) {
      expect((await order(emu, path, token, { 'X-Algo-Name': 'momentum-1' })).status).toBe(200);
    }
  });

  it('applies 10/s per user combined over all order paths; refused requests are not counted', async () => {
    const { emu, clock, token } = await registered();
    const other = (
      await emu.upsertUser({
        userId: 'OTHER1',
        userName: 'Other',
        email: 'o@example.com',
        mobile: '9000000009',
        otp: '111111',
        pin: '111111',
      })
    ).userId;
    emu.setStaticIps({ userId: other, ips: ['127.0.0.1'] });
    const otherToken = (await emu.issueToken({ userId: other })).access_token;
    // Refused for the token kind or a missing token: not counted.
    const extended = (await emu.issueToken()).extended_token!;
    for (let i = 0; i < 5; i++)
      await expectUpstoxError(await order(emu, PLACE, extended), 403, 'UDAPI100067');
    for (let i = 0; i < 10; i++) {
      const path = ORDER_PATHS[i % ORDER_PATHS.length]!;
      expect((await order(emu, path, token)).status, path.path).toBe(200);
    }
    const e = await expectUpstoxError(await order(emu, ORDER_PATHS[11]!, token), 429, 'UDAPI10005');
    expect(e.message).toBe('Too Many Request Sent');
    expect((await order(emu, PLACE, otherToken)).status).toBe(200); // another user's bucket
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200); // standard bucket
    clock.set(START + 1000);
    expect((await order(emu, PLACE, token)).status).toBe(200);
  });

  it('applies the default 500/min and the 30-minute window to the order bucket', async () => {
    const { emu, clock, token } = await registered();
    for (let s = 0; s < 50; s++) {
      clock.set(START + s * 1000);
      for (let i = 0; i < 10; i++) {
        const res = await order(emu, ORDER_PATHS[i]!, token);
        if (res.status !== 200) expect.fail(`second ${s} request ${i}: ${res.status}`);
        await res.body?.cancel();
      }
    }
    clock.set(START + 50_000);
    await expectUpstoxError(await order(emu, PLACE, token), 429, 'UDAPI10005');
    clock.set(START + 60_000);
    expect((await order(emu, PLACE, token)).status).toBe(200);

    const small = await registered({
      rateLimits: { order: { perSecond: null, perMinute: null, perThirtyMinutes: 3 } },
    });
    for (let i = 0; i < 3; i++)
      expect((await order(small.emu, ORDER_PATHS[i]!, small.token)).status).toBe(200);
    small.clock.set(START + 29 * 60_000);
    await expectUpstoxError(await order(small.emu, PLACE, small.token), 429, 'UDAPI10005');
  });

  it('as the sandbox host: sandbox tokens place orders without static IP or algo checks', async () => {
    const { emu } = await startEmulator({ sandbox: true });
    emu.upsertApp({ clientId: 'emulator-client', algoNames: ['momentum-1'] });
    const sandbox = (await emu.generateToken({ kind: 'sandbox' })).token;
    const res = await order(emu, PLACE, sandbox);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'success', data: { order_id: expect.any(String) } });
    const daily = (await emu.issueToken()).access_token;
    await expectUpstoxError(await order(emu, PLACE, daily), 401, 'UDAPI100050');
    const gtt = ORDER_PATHS.find((p) => p.category === 'gtt-place')!;
    await expectUpstoxError(await order(emu, gtt, sandbox), 404, 'UDAPI10000');
  });
});
