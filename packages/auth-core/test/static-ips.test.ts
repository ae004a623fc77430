import { createManualClock } from '@hft/time/testing';
import { startUpstoxEmulator, type UpstoxEmulator } from '@hft/upstox-emulator';
import { describe, expect, it } from 'vitest';
import {
  createMemoryTokenStore,
  createUpstoxClient,
  type InvalidationReason,
  parseStaticIpRefusal,
  processTokenResponse,
  TokenManager,
} from '../src/index.js';
import { onCleanup } from './helpers.js';

const START = Date.parse('2026-11-26T10:00:00+05:30');
const ORDER = { instrument_token: 'NSE_EQ|INE002A01018', quantity: 1, transaction_type: 'BUY' };

async function setup() {
  const clock = createManualClock(START);
  const emu: UpstoxEmulator = await startUpstoxEmulator({ clock });
  onCleanup(() => emu.close());
  const manager = new TokenManager({
    clientId: emu.defaultApp.clientId,
    redirectUri: emu.defaultApp.redirectUris[0]!,
    store: createMemoryTokenStore(),
    baseUrl: emu.url,
    clock,
  });
  onCleanup(() => manager.close());
  const body = await emu.issueToken();
  await manager.setToken(processTokenResponse(body, { clientId: emu.defaultApp.clientId, clock }));
  const client = createUpstoxClient(manager, { baseUrl: emu.url, orderBaseUrl: emu.url });
  return { emu, clock, manager, client, token: body.access_token };
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { code?: string; details?: Record<string, unknown> },
  );
}

describe('static IPs', () => {
  it('getStaticIps reads the registered IPs', async () => {
    const { emu, manager } = await setup();
    emu.setStaticIps({ ips: ['127.0.0.1', '198.51.100.7'] });
    const ips = await manager.getStaticIps();
    expect(ips.primary).toBe('127.0.0.1');
    expect(ips.secondary).toBe('198.51.100.7');
    expect(ips.primaryUpdatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    emu.setStaticIps({ ips: [] });
    expect(await manager.getStaticIps()).toMatchObject({ primary: null, secondary: null });
  });

  it('setStaticIps changes them, then treats the token as invalidated (Upstox revoked it)', async () => {
    const { emu, manager, client } = await setup();
    const reasons: InvalidationReason[] = [];
    manager.on('invalidated', ({ reason }) => reasons.push(reason));
    const change = await manager.setStaticIps({ primary: '127.0.0.1' });
    expect(change).toMatchObject({ primary: '127.0.0.1', accessTokensInvalidated: true });
    expect(emu.defaultUser.primaryIp).toBe('127.0.0.1');
    expect(reasons).toEqual(['static-ip-changed']);
    expect(manager.isTokenValid()).toBe(false);
    expect(() => manager.getAccessToken()).toThrow(expect.objectContaining({ code: 'HFT_AUTH_INVALIDATED' }));
    // Nothing is sent with the dead token: the client fails before the request.
    const before = emu.requests.length;
    expect((await failure(client.post('/v2/order/place', ORDER))).code).toBe('HFT_AUTH_INVALIDATED');
    expect(emu.requests.length).toBe(before);
  });

  it('a second change within the week is refused by Upstox, and the token stays', async () => {
    const { emu, manager, clock } = await setup();
    await manager.setStaticIps({ primary: '127.0.0.1' });
    clock.advance(60_000); // the user logs in again a minute later
    await manager.setToken(
      processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId, clock }),
    );
    const refused = await failure(manager.setStaticIps({ primary: '127.0.0.1', secondary: '198.51.100.8' }));
    expect(refused.code).toBe('HFT_BROKER_ERROR');
    expect(refused.message).toMatch(/once a week/);
    expect(manager.isTokenValid()).toBe(true);
  });

  it('checks the addresses before sending anything', async () => {
    const { emu, manager } = await setup();
    const before = emu.requests.length;
    const bad = await failure(manager.setStaticIps({ primary: '300.1.1.1' }));
    expect(bad).toMatchObject({ code: 'HFT_INPUT_INVALID', details: { argument: 'primary' } });
    const same = await failure(manager.setStaticIps({ primary: '127.0.0.1', secondary: '127.0.0.1' }));
    expect(same).toMatchObject({ code: 'HFT_INPUT_INVALID', details: { argument: 'secondary' } });
    const notIp = await failure(manager.setStaticIps({ primary: '127.0.0.1', secondary: 'my-vps' }));
    expect(notIp).toMatchObject({ details: { argument: 'secondary' } });
    expect(emu.requests.length).toBe(before);
  });
});

describe('UDAPI1154', () => {
  it('becomes HFT_BROKER_STATIC_IP naming the IP Upstox saw, the registered ones and the fix', async () => {
    const { emu, client, token } = await setup();
    emu.setStaticIps({ ips: ['203.0.113.10', '198.51.100.7'] });
    const error = await failure(client.post('/v2/order/place', ORDER));
    expect(error.name).toBe('BrokerError');
    expect(error.code).toBe('HFT_BROKER_STATIC_IP');
    expect(error.details).toMatchObject({
      status: 403,
      brokerCode: 'UDAPI1154',
      originIp: '127.0.0.1',
      registeredIps: ['203.0.113.10', '198.51.100.7'],
    });
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).toContain('203.0.113.10, 198.51.100.7');
    expect(error.message).toContain('hft ip set 127.0.0.1');
    expect(error.message).not.toContain(token);
    // GTT goes through the same check.
    expect((await failure(client.post('/v3/order/gtt/place', { ...ORDER, rules: [{}] }))).code).toBe(
      'HFT_BROKER_STATIC_IP',
    );
  });

  it('with the fault on, and with a message that names no IP, still says what to do', async () => {
    const { emu, client } = await setup();
    emu.setStaticIps({ ips: ['127.0.0.1'] });
    emu.setFault('POST /v2/order/place', { ipNotRegistered: true });
    const error = await failure(client.post('/v2/order/place', ORDER));
    expect(error.code).toBe('HFT_BROKER_STATIC_IP');
    expect(parseStaticIpRefusal('Access denied for this IP')).toEqual({});
    expect(parseStaticIpRefusal('configured static IP (1.2.3.4) does not match origin IP (5.6.7.8)')).toEqual(
      {
        originIp: '5.6.7.8',
        registeredIps: ['1.2.3.4'],
      },
    );
  });
});

describe('feed authorization', () => {
  it('authorizeMarketFeed / authorizePortfolioFeed return a fresh single-use wss:// URL', async () => {
    const { manager } = await setup();
    const first = await manager.authorizeMarketFeed();
    const second = await manager.authorizeMarketFeed();
    expect(first).toMatch(/^wss:\/\/[^/]+\/v3\/feed\/market-data-feed\?/);
    expect(second).not.toBe(first);
    const portfolio = await manager.authorizePortfolioFeed({ updateTypes: ['order', 'position'] });
    expect(portfolio).toMatch(/^wss:\/\/[^/]+\/v2\/feed\/portfolio-stream-feed\?/);
    expect(new URL(portfolio).searchParams.get('update_types')).toBe('order,position');
    const bad = await failure(manager.authorizePortfolioFeed({ updateTypes: ['bogus'] }));
    expect(bad.code).toBe('HFT_BROKER_ERROR');
  });

  it('re-authorizes on the manager token event (the README example)', async () => {
    const { emu, manager, clock } = await setup();
    const urls: string[] = [];
    manager.on('token', () => {
      manager.authorizeMarketFeed().then((url) => urls.push(url));
    });
    urls.push(await manager.authorizeMarketFeed());
    clock.advance(60_000);
    await manager.setToken(
      processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId, clock }),
    );
    await expect.poll(() => urls.length).toBe(2);
    const feedCalls = emu.requests.filter((r) => r.path === '/v3/feed/market-data-feed/authorize');
    expect(feedCalls[1]!.headers.authorization).toBe(`Bearer ${manager.getAccessToken()}`);
  });
});
