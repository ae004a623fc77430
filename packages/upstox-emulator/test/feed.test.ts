import { describe, expect, it } from 'vitest';
import { authGet, expectUpstoxError, startEmulator } from './helpers.js';

type FeedBody = { status: string; data: { authorized_redirect_uri: string; authorizedRedirectUri: string } };

describe('feed authorization', () => {
  it('GET /v3/feed/market-data-feed/authorize answers a new single-use wss:// URL each call', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await authGet(`${emu.url}/v3/feed/market-data-feed/authorize`, token);
      expect(res.status).toBe(200);
      const body = (await res.json()) as FeedBody;
      expect(body.status).toBe('success');
      expect(body.data.authorizedRedirectUri).toBe(body.data.authorized_redirect_uri);
      const url = new URL(body.data.authorized_redirect_uri);
      expect(url.protocol).toBe('wss:');
      expect(url.pathname).toBe('/v3/feed/market-data-feed');
      expect(url.searchParams.get('code')).toMatch(/^[\w-]{16}$/);
      urls.push(url.href);
    }
    expect(urls[1]).not.toBe(urls[0]);
    // An analytics token may call the market feed (market data class).
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    expect((await authGet(`${emu.url}/v3/feed/market-data-feed/authorize`, analytics)).status).toBe(200);
    // No token: Upstox's 401.
    await expectUpstoxError(
      await authGet(`${emu.url}/v3/feed/market-data-feed/authorize`, 'nope'),
      401,
      'UDAPI100050',
    );
  });

  it('GET /v2/feed/portfolio-stream-feed/authorize takes update_types and refuses unknown ones', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    const res = await authGet(
      `${emu.url}/v2/feed/portfolio-stream-feed/authorize?update_types=order,gtt_order`,
      token,
    );
    const url = new URL(((await res.json()) as FeedBody).data.authorized_redirect_uri);
    expect(url.protocol).toBe('wss:');
    expect(url.pathname).toBe('/v2/feed/portfolio-stream-feed');
    expect(url.searchParams.get('update_types')).toBe('order,gtt_order');
    const bad = await authGet(
      `${emu.url}/v2/feed/portfolio-stream-feed/authorize?update_types=trades`,
      token,
    );
    expect(await expectUpstoxError(bad, 400, 'UDAPI100036')).toMatchObject({
      path: 'update_types',
      value: 'trades',
    });
  });
});
