import { describe, expect, it } from 'vitest';
import { authGet, expectUpstoxError, get, loginForToken, NEXT_0330, startEmulator } from './helpers.js';

describe('token-protected APIs', () => {
  it('GET /v2/user/profile returns the documented profile including ddpi', async () => {
    const { emu } = await startEmulator();
    const token = (await loginForToken(emu)).access_token as string;
    const res = await authGet(`${emu.url}/v2/user/profile`, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      data: {
        email: 'emulator.user@example.com',
        exchanges: ['NSE', 'NFO', 'BSE', 'CDS', 'BFO', 'BCD'],
        products: ['D', 'CO', 'I'],
        broker: 'UPSTOX',
        user_id: 'EMU001',
        user_name: 'Emulator Test User',
        order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
        user_type: 'individual',
        poa: false,
        ddpi: false,
        is_active: true,
      },
    });
  });

  it('answers 401 UDAPI100050 without a token, with a malformed header and with an unknown token', async () => {
    const { emu } = await startEmulator();
    const url = `${emu.url}/v2/user/profile`;
    const e = await expectUpstoxError(await get(url), 401, 'UDAPI100050');
    expect(e.message).toBe('Invalid token used to access API');
    await expectUpstoxError(await get(url, { authorization: 'Basic abc' }), 401, 'UDAPI100050');
    await expectUpstoxError(await authGet(url, 'eyJhbGciOiJIUzI1NiJ9.e30.x'), 401, 'UDAPI100050');
  });

  it('expires access tokens at 03:30 IST by the emulator clock', async () => {
    const { emu, clock } = await startEmulator();
    const token = (await loginForToken(emu)).access_token as string;
    const url = `${emu.url}/v2/user/profile`;
    clock.set(NEXT_0330 - 1);
    expect((await authGet(url, token)).status).toBe(200);
    clock.set(NEXT_0330);
    await expectUpstoxError(await authGet(url, token), 401, 'UDAPI100050');
  });

  it('DELETE /v2/logout answers {status, data:true} and invalidates only that token', async () => {
    const { emu } = await startEmulator();
    const token = (await loginForToken(emu)).access_token as string;
    const other = (await emu.issueToken()).access_token;
    const res = await fetch(`${emu.url}/v2/logout`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'success', data: true });
    await expectUpstoxError(await authGet(`${emu.url}/v2/user/profile`, token), 401, 'UDAPI100050');
    const again = await fetch(`${emu.url}/v2/logout`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    await expectUpstoxError(again, 401, 'UDAPI100050');
    expect((await authGet(`${emu.url}/v2/user/profile`, other)).status).toBe(200);
  });

  it('revoke() invalidates a token', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    expect(emu.revoke(token)).toBe(true);
    expect(emu.revoke('never-issued')).toBe(false);
    await expectUpstoxError(await authGet(`${emu.url}/v2/user/ip`, token), 401, 'UDAPI100050');
  });

  it('lets the extended token read holdings but answers UDAPI100067 on the profile', async () => {
    const { emu } = await startEmulator();
    const body = await loginForToken(emu);
    const extended = body.extended_token as string;
    const holdings = await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, extended);
    expect(holdings.status).toBe(200);
    expect(await holdings.json()).toEqual({ status: 'success', data: [] });
    const e = await expectUpstoxError(
      await authGet(`${emu.url}/v2/user/profile`, extended),
      403,
      'UDAPI100067',
    );
    expect(e.message).toBe('The API you are trying to access is not permitted with an extended_token');
    const logout = await fetch(`${emu.url}/v2/logout`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${extended}` },
    });
    await expectUpstoxError(logout, 403, 'UDAPI100067');
    expect(
      (await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, body.access_token as string)).status,
    ).toBe(200);
  });

  it('keeps the extended token valid for a year, past the access token expiry', async () => {
    const { emu, clock } = await startEmulator();
    const body = await loginForToken(emu);
    clock.advance(364 * 86_400_000);
    expect(
      (await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, body.extended_token as string)).status,
    ).toBe(200);
    clock.advance(86_400_000);
    await expectUpstoxError(
      await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, body.extended_token as string),
      401,
      'UDAPI100050',
    );
  });

  it('GET /v2/user/ip returns the static IPs with IST timestamps', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    const res = await authGet(`${emu.url}/v2/user/ip`, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      data: {
        user_id: 'EMU001',
        primary_ip: '203.0.113.10',
        secondary_ip: null,
        primary_ip_updated_at: '2026-01-05 10:00:00',
        secondary_ip_updated_at: null,
      },
    });
  });

  describe('GET /v2/user/get-funds-and-margin', () => {
    const at = async (iso: string) => {
      const { emu, clock } = await startEmulator();
      clock.set(iso);
      const token = (await emu.issueToken()).access_token;
      return authGet(`${emu.url}/v2/user/get-funds-and-margin`, token);
    };

    it('is locked (423 UDAPI100072) from 00:00:00 to 05:29:59.999 IST', async () => {
      for (const iso of [
        '2026-01-06T00:00:00+05:30',
        '2026-01-06T05:29:59+05:30',
        '2026-01-06T05:29:59.999+05:30',
      ]) {
        const e = await expectUpstoxError(await at(iso), 423, 'UDAPI100072');
        expect(e.message).toBe('The Funds service is accessible from 5:30 AM to 12:00 AM IST daily');
      }
    });

    it('answers from 05:30:00 IST until 23:59:59.999 IST', async () => {
      for (const iso of ['2026-01-06T05:30:00+05:30', '2026-01-05T23:59:59.999+05:30']) {
        const res = await at(iso);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { status: string; data: Record<string, Record<string, number>> };
        expect(body.status).toBe('success');
        expect(Object.keys(body.data).sort()).toEqual(['commodity', 'equity']);
        expect(Object.keys(body.data.equity!).sort()).toEqual(
          [
            'adhoc_margin',
            'available_margin',
            'exposure_margin',
            'notional_cash',
            'payin_amount',
            'span_margin',
            'used_margin',
          ].sort(),
        );
      }
    });

    it('filters by segment and rejects an unknown one', async () => {
      const { emu } = await startEmulator();
      const token = (await emu.issueToken()).access_token;
      const sec = (await (
        await authGet(`${emu.url}/v2/user/get-funds-and-margin?segment=SEC`, token)
      ).json()) as {
        data: object;
      };
      expect(Object.keys(sec.data)).toEqual(['equity']);
      const e = await expectUpstoxError(
        await authGet(`${emu.url}/v2/user/get-funds-and-margin?segment=XYZ`, token),
        400,
        'UDAPI100036',
      );
      expect(e.path).toBe('segment');
    });
  });

  it('answers 404 UDAPI10000 for unknown paths', async () => {
    const { emu } = await startEmulator();
    const e = await expectUpstoxError(await get(`${emu.url}/v2/user/nothing`), 404, 'UDAPI10000');
    expect(e.message).toBe('This request is not supported by Upstox API');
  });

  it('answers 405 UDAPI10000 with Allow for a wrong method on a known API path', async () => {
    const { emu } = await startEmulator();
    const res = await fetch(`${emu.url}/v2/user/profile`, { method: 'POST' });
    expect(res.headers.get('allow')).toBe('GET');
    await expectUpstoxError(res, 405, 'UDAPI10000');
  });
});
