import { describe, expect, it } from 'vitest';
import { normaliseIp } from '../src/static-ips.js';
import {
  authFetch,
  authGet,
  expectUpstoxError,
  ORDER_BODY,
  postJson,
  START,
  startEmulator,
} from './helpers.js';

const DAY = 86_400_000;

function putIps(url: string, token: string, json: unknown): Promise<Response> {
  return authFetch(`${url}/v2/user/ip`, token, { method: 'PUT', json });
}

const OTHER_USER = {
  userId: 'OTHER1',
  userName: 'Other',
  email: 'o@example.com',
  mobile: '9000000009',
  otp: '111111',
  pin: '111111',
  primaryIp: '198.51.100.50',
};

describe('static IPs: GET/PUT /v2/user/ip', () => {
  it('PUT changes the IPs, answers access_tokens_invalidated and invalidates only daily tokens of that user', async () => {
    const { emu, clock } = await startEmulator();
    emu.upsertUser(OTHER_USER);
    const body = await emu.issueToken();
    const second = (await emu.issueToken()).access_token;
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    const otherToken = (await emu.issueToken({ userId: 'OTHER1' })).access_token;
    clock.set(START + 3_600_000);
    const res = await putIps(emu.url, body.access_token, { primary_ip: '127.0.0.1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      data: {
        user_id: 'EMU001',
        primary_ip: '127.0.0.1',
        secondary_ip: null,
        primary_ip_updated_at: '2026-01-05 11:00:00',
        secondary_ip_updated_at: null,
        access_tokens_invalidated: true,
      },
    });
    for (const token of [body.access_token, second]) {
      await expectUpstoxError(await authGet(`${emu.url}/v2/user/profile`, token), 401, 'UDAPI100050');
    }
    const holdings = `${emu.url}/v2/portfolio/long-term-holdings`;
    expect((await authGet(holdings, body.extended_token!)).status).toBe(200);
    expect((await authGet(holdings, analytics)).status).toBe(200); // now from a registered IP
    expect((await authGet(`${emu.url}/v2/user/profile`, otherToken)).status).toBe(200);

    const fresh = (await emu.issueToken()).access_token;
    const get = await authGet(`${emu.url}/v2/user/ip`, fresh);
    expect(((await get.json()) as { data: object }).data).toMatchObject({
      primary_ip: '127.0.0.1',
      primary_ip_updated_at: '2026-01-05 11:00:00',
    });
    // The new IP is what the order check uses.
    const place = await authFetch(`${emu.url}/v2/order/place`, fresh, { method: 'POST', json: ORDER_BODY });
    expect(place.status).toBe(200);
  });

  it('refuses a second change within 7 days with 400 UDAPI100036, allows it after', async () => {
    const { emu, clock } = await startEmulator();
    const t1 = (await emu.issueToken()).access_token;
    expect(
      (await putIps(emu.url, t1, { primary_ip: '198.51.100.1', secondary_ip: '2001:db8::1' })).status,
    ).toBe(200);
    clock.set(START + 7 * DAY - 1);
    const t2 = (await emu.issueToken()).access_token;
    const e = await expectUpstoxError(
      await putIps(emu.url, t2, { primary_ip: '198.51.100.2' }),
      400,
      'UDAPI100036',
    );
    expect(e.path).toBe('primary_ip');
    expect(e.message).toBe(
      'Invalid Input: static IPs can be changed once a week; the next change is allowed from 2026-01-12 10:00:00 IST',
    );
    // The refusal invalidated nothing.
    expect((await authGet(`${emu.url}/v2/user/profile`, t2)).status).toBe(200);
    clock.set(START + 7 * DAY);
    const ok = await putIps(emu.url, t2, { primary_ip: '198.51.100.2' });
    expect(ok.status).toBe(200);
    // secondary_ip omitted: the registered one is kept.
    expect(((await ok.json()) as { data: object }).data).toMatchObject({
      primary_ip: '198.51.100.2',
      secondary_ip: '2001:db8::1',
      secondary_ip_updated_at: '2026-01-05 10:00:00',
    });
  });

  it('validates the body: primary_ip required, addresses must be IPs, not another user’s', async () => {
    const { emu } = await startEmulator();
    emu.upsertUser(OTHER_USER);
    const token = (await emu.issueToken()).access_token;
    const cases: Array<[unknown, string]> = [
      [{}, 'primary_ip'],
      [{ primary_ip: 'not-an-ip' }, 'primary_ip'],
      [{ primary_ip: '198.51.100.1', secondary_ip: 5 }, 'secondary_ip'],
      [{ primary_ip: '198.51.100.1', secondary_ip: '198.51.100.1' }, 'secondary_ip'],
      [{ primary_ip: '198.51.100.50' }, 'primary_ip'],
    ];
    for (const [json, path] of cases) {
      const e = await expectUpstoxError(await putIps(emu.url, token, json), 400, 'UDAPI100036');
      expect(e.path, JSON.stringify(json)).toBe(path);
    }
    const notJson = await authFetch(`${emu.url}/v2/user/ip`, token, { method: 'PUT' });
    expect((await expectUpstoxError(notJson, 400, 'UDAPI100036')).path).toBe('body');
    // None of these counted as the weekly change.
    expect((await putIps(emu.url, token, { primary_ip: '198.51.100.1' })).status).toBe(200);
  });

  it('PUT needs a daily token (extended/analytics: 403 UDAPI100067)', async () => {
    const { emu } = await startEmulator();
    const extended = (await emu.issueToken()).extended_token!;
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    for (const token of [extended, analytics]) {
      await expectUpstoxError(
        await putIps(emu.url, token, { primary_ip: '198.51.100.1' }),
        403,
        'UDAPI100067',
      );
    }
  });

  it('POST /_emulator/static-ips sets the list (no weekly limit, no invalidation) and validates it', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    const res = await postJson(`${emu.url}/_emulator/static-ips`, { ips: ['127.0.0.1', '::1'] });
    expect(await res.json()).toEqual({
      status: 'success',
      data: { userId: 'EMU001', primaryIp: '127.0.0.1', secondaryIp: '::1' },
    });
    expect((await authGet(`${emu.url}/v2/user/profile`, token)).status).toBe(200);
    const bad = await postJson(`${emu.url}/_emulator/static-ips`, { ips: ['nope'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'HFT_INPUT_INVALID' } });
    expect(() => emu.setStaticIps({ userId: 'NOBODY', ips: [] })).toThrow(/userId/);
  });

  it('normalises the origin address like Upstox sees it', () => {
    expect(normaliseIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseIp('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normaliseIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(normaliseIp(undefined)).toBe('');
  });
});
