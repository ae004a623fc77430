import { describe, expect, it } from 'vitest';
import { authGet, expectUpstoxError, startEmulator } from './helpers.js';

describe('GET /v2/market-quote/ltp', () => {
  it('answers {status, data:{"SEG:SYMBOL":{last_price, instrument_token}}} to daily and analytics tokens', async () => {
    const { emu } = await startEmulator();
    const daily = (await emu.issueToken()).access_token;
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    const url = `${emu.url}/v2/market-quote/ltp?instrument_key=${encodeURIComponent(
      'NSE_EQ|INE002A01018,NSE_EQ|INE123X01011',
    )}`;
    for (const token of [daily, analytics]) {
      const res = await authGet(url, token);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; data: Record<string, Record<string, unknown>> };
      expect(body.status).toBe('success');
      expect(body.data['NSE_EQ:RELIANCE']).toEqual({
        last_price: 1284.5,
        instrument_token: 'NSE_EQ|INE002A01018',
      });
      expect(body.data['NSE_EQ:INE123X01011']).toEqual({
        last_price: expect.any(Number),
        instrument_token: 'NSE_EQ|INE123X01011',
      });
    }
  });

  it('answers 400 UDAPI100036 for a missing or malformed instrument_key', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    const missing = await authGet(`${emu.url}/v2/market-quote/ltp`, token);
    expect((await expectUpstoxError(missing, 400, 'UDAPI100036')).path).toBe('instrument_key');
    const bad = await authGet(`${emu.url}/v2/market-quote/ltp?instrument_key=RELIANCE`, token);
    expect(await expectUpstoxError(bad, 400, 'UDAPI100036')).toMatchObject({
      path: 'instrument_key',
      value: 'RELIANCE',
    });
  });
});
