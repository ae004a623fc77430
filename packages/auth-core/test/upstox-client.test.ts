import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManualClock } from '@hft/time/testing';
import { startUpstoxEmulator, type UpstoxEmulator, type UpstoxEmulatorOptions } from '@hft/upstox-emulator';
import { describe, expect, it } from 'vitest';
import {
  createMemoryTokenStore,
  createUpstoxClient,
  processTokenResponse,
  TokenManager,
  type UpstoxClientOptions,
} from '../src/index.js';
import { requestCategory, usesOrderHost } from '../src/wire.js';
import { onCleanup } from './helpers.js';

const START = Date.parse('2026-11-26T10:00:00+05:30');

async function setup(emulatorOptions: UpstoxEmulatorOptions = {}, clientOptions: UpstoxClientOptions = {}) {
  const clock = createManualClock(START);
  const emu: UpstoxEmulator = await startUpstoxEmulator({ clock, ...emulatorOptions });
  onCleanup(() => emu.close());
  const manager = new TokenManager({
    clientId: emu.defaultApp.clientId,
    clientSecret: emu.defaultApp.clientSecret,
    redirectUri: emu.defaultApp.redirectUris[0]!,
    store: createMemoryTokenStore(),
    baseUrl: emu.url,
    clock: emulatorOptions.clock ? { now: () => Date.now() } : clock,
  });
  onCleanup(() => manager.close());
  const issue = async () =>
    processTokenResponse(await emu.issueToken(), {
      clientId: emu.defaultApp.clientId,
      clock: emulatorOptions.clock ?? clock,
    });
  await manager.setToken(await issue());
  const client = createUpstoxClient(manager, { baseUrl: emu.url, retryBaseDelayMs: 5, ...clientOptions });
  const calls = (path: string) => emu.requests.filter((r) => r.path === path);
  return { emu, clock, manager, client, issue, calls };
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & Record<string, unknown>,
  );
}

describe('request routing', () => {
  it('classifies order paths and the order host', () => {
    expect(requestCategory('/v2/order/place')).toBe('order');
    expect(requestCategory('/v3/order/modify')).toBe('order');
    expect(requestCategory('/v2/order/multi/place')).toBe('order');
    expect(requestCategory('/v3/order/gtt/place')).toBe('order');
    expect(requestCategory('/v2/gtt/create')).toBe('standard');
    expect(requestCategory('/v2/user/profile')).toBe('standard');
    expect(requestCategory('/v2/order/retrieve-all')).toBe('standard');
    expect(usesOrderHost('/v2/order/place')).toBe(true);
    expect(usesOrderHost('/v3/order/cancel')).toBe(true);
    expect(usesOrderHost('/v2/order/multi/place')).toBe(false);
    expect(usesOrderHost('/v2/order/retrieve-all')).toBe(false);
  });
});

describe('createUpstoxClient against the emulator', () => {
  it('sends the bearer token from the hot path and Api-Version on v2 paths', async () => {
    const { client, manager, calls } = await setup();
    const res = await client.get('/v2/user/profile');
    expect(res.data.data.user_id).toBeTruthy();
    const sent = calls('/v2/user/profile')[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${manager.getAccessToken()}`);
    expect(sent.headers['api-version']).toBe('2.0');
    expect(sent.headers.accept).toBe('application/json');
    // A caller's own Accept is kept.
    await client.get('/v2/user/profile', { headers: { Accept: 'application/json, text/csv' } });
    expect(calls('/v2/user/profile')[1]!.headers.accept).toBe('application/json, text/csv');
  });

  it("sets its headers after a caller's request interceptors, which never see the token", async () => {
    const { client, manager, calls } = await setup();
    const seen: unknown[] = [];
    client.interceptors.request.use((config) => {
      seen.push(config.headers.get('Authorization'));
      config.headers.set('Authorization', 'Bearer not-the-token');
      config.headers.set('X-Caller', 'kept');
      return config;
    });
    await client.get('/v2/user/profile');
    await client.get('/v2/user/profile');
    expect(seen).toEqual([undefined, undefined]);
    for (const sent of calls('/v2/user/profile')) {
      expect(sent.headers.authorization).toBe(`Bearer ${manager.getAccessToken()}`);
      expect(sent.headers['x-caller']).toBe('kept');
    }
  });

  it('sends order writes to the order host with X-Algo-Name', async () => {
    const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
    const orderHost = createServer((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"success","data":{"order_id":"1"}}');
      });
    });
    await new Promise<void>((r) => orderHost.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => orderHost.close(() => r())));
    const orderBaseUrl = `http://127.0.0.1:${(orderHost.address() as AddressInfo).port}`;
    const { client, manager, calls } = await setup({}, { orderBaseUrl, algoName: 'mean-reversion' });
    const res = await client.post('/v2/order/place', { quantity: 1 });
    expect(res.data.data.order_id).toBe('1');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/v2/order/place');
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${manager.getAccessToken()}`);
    expect(seen[0]!.headers['x-algo-name']).toBe('mean-reversion');
    expect(calls('/v2/order/place')).toHaveLength(0);
    await client.get('/v2/user/profile');
    expect(seen).toHaveLength(1);
  });

  it('on 401 UDAPI100050: marks the token invalid, rejects with AuthError, never replays an order', async () => {
    const { emu, client, manager, calls } = await setup();
    const invalidated: string[] = [];
    manager.on('invalidated', (e) => invalidated.push(e.reason));
    const token = manager.getAccessToken();
    emu.revoke(token);
    const e = await failure(client.delete('/v2/logout'));
    expect(e).toMatchObject({ name: 'AuthError', code: 'HFT_AUTH_INVALIDATED' });
    expect(e.message).not.toContain(token);
    expect(e).not.toHaveProperty('config');
    expect(invalidated).toEqual(['broker-rejected']);
    expect(calls('/v2/logout')).toHaveLength(1);
    expect(manager.isTokenValid()).toBe(false);
    await expect(client.get('/v2/user/profile')).rejects.toMatchObject({ code: 'HFT_AUTH_INVALIDATED' });
  });

  it('replays an idempotent request once, after a new token arrived', async () => {
    // Daily tokens only: the fallback to the other kinds is tested on its own below.
    const { emu, clock, client, manager, issue, calls } = await setup(
      {},
      { replayWaitMs: 5_000, readKinds: false },
    );
    emu.revoke(manager.getAccessToken());
    const pending = client.get('/v2/user/profile');
    await expect.poll(() => calls('/v2/user/profile').length).toBe(1);
    // A replacement is issued later than the token it replaces (the newer-wins rule).
    clock.advance(1_000);
    const next = await issue();
    await manager.setToken(next);
    const res = await pending;
    expect(res.status).toBe(200);
    const sent = calls('/v2/user/profile');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.headers.authorization).toBe(`Bearer ${next.tokens.daily!.token}`);
  });

  it('does not replay when no new token comes', async () => {
    const { emu, client, manager, calls } = await setup({}, { replayWaitMs: 50, readKinds: false });
    emu.revoke(manager.getAccessToken());
    await expect(client.get('/v2/user/profile')).rejects.toMatchObject({ code: 'HFT_AUTH_INVALIDATED' });
    expect(calls('/v2/user/profile')).toHaveLength(1);
  });

  it('retries idempotent requests on 5xx and never retries a POST', async () => {
    const { emu, client, calls } = await setup();
    emu.setFault('GET /v2/user/profile', { status: 503, times: 1 });
    expect((await client.get('/v2/user/profile')).status).toBe(200);
    expect(calls('/v2/user/profile')).toHaveLength(2);
    emu.setFault('POST /v3/login/auth/token/request/emulator-client', { status: 503, times: 1 });
    const e = await failure(
      client.post('/v3/login/auth/token/request/emulator-client', { client_secret: 'x' }),
    );
    expect(e).toMatchObject({ name: 'BrokerError', status: 503 });
    expect(calls('/v3/login/auth/token/request/emulator-client')).toHaveLength(1);
  });

  it('gives up after the retry budget with the last error', async () => {
    const { emu, client, calls } = await setup({}, { retries: 2 });
    emu.setFault('GET /v2/user/profile', { status: 500 });
    await expect(client.get('/v2/user/profile')).rejects.toMatchObject({ name: 'BrokerError', status: 500 });
    expect(calls('/v2/user/profile')).toHaveLength(3);
  });

  it('retries a 429 after Retry-After / backoff, and reports HFT_BROKER_RATE_LIMITED when it persists', async () => {
    const { client, calls } = await setup(
      { rateLimits: { standard: { perSecond: 1, perMinute: null, perThirtyMinutes: null } } },
      { rateLimits: { standard: false }, retries: 1, maxRetryDelayMs: 20 },
    );
    await client.get('/v2/user/profile');
    // The emulator's manual clock never moves, so the window never frees: the retry is refused too.
    const e = await failure(client.get('/v2/user/profile'));
    expect(e).toMatchObject({ code: 'HFT_BROKER_RATE_LIMITED', status: 429, brokerCode: 'UDAPI10005' });
    expect(calls('/v2/user/profile')).toHaveLength(3);
  });

  it('throttles client-side so the broker never answers 429', async () => {
    const limits = { perSecond: 4, perMinute: null, perThirtyMinutes: null };
    // Real clock on both sides: the throttle waits in real time.
    const unthrottled = await setup(
      { clock: { now: () => Date.now() }, rateLimits: { standard: limits } },
      { rateLimits: { standard: false }, retries: 0 },
    );
    const raw = await Promise.allSettled(
      Array.from({ length: 6 }, () => unthrottled.client.get('/v2/user/profile')),
    );
    expect(raw.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);

    const throttled = await setup(
      { clock: { now: () => Date.now() }, rateLimits: { standard: limits } },
      { rateLimits: { standard: limits }, retries: 0 },
    );
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => throttled.client.get('/v2/user/profile')),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    expect(throttled.calls('/v2/user/profile')).toHaveLength(6);
  });

  it("holds Upstox's published 50/s with the default limits: no 429 from the emulator", async () => {
    // Real clock on both sides; the emulator enforces the same published limits by default.
    const { client, calls } = await setup({ clock: { now: () => Date.now() } }, { retries: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 120 }, () => client.get('/v2/user/profile')),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => (r as PromiseRejectedResult).reason?.code)).toEqual([]);
    expect(calls('/v2/user/profile')).toHaveLength(120);
  });

  it('maps an HTML block page and a reset to NetworkError, never a raw axios error', async () => {
    const { emu, client, manager } = await setup({}, { retries: 0 });
    emu.setFault('GET /v2/user/profile', { html: true, times: 1 });
    const html = await failure(client.get('/v2/user/profile'));
    expect(html).toMatchObject({
      name: 'NetworkError',
      code: 'HFT_NETWORK_NON_JSON',
      endpoint: 'GET /v2/user/profile',
    });
    emu.setFault('GET /v2/user/profile', { reset: true, times: 1 });
    const reset = await failure(client.get('/v2/user/profile'));
    expect(reset).toMatchObject({ name: 'NetworkError', code: 'HFT_NETWORK_UNREACHABLE' });
    for (const e of [html, reset]) {
      expect(JSON.stringify(e)).not.toContain(manager.getAccessToken());
      expect(String(e.message)).not.toContain(manager.getAccessToken());
      expect(e).not.toHaveProperty('config');
    }
  });

  it('rejects with AuthError before sending when there is no token', async () => {
    const emu = await startUpstoxEmulator();
    onCleanup(() => emu.close());
    const manager = new TokenManager({
      clientId: 'c',
      redirectUri: 'http://127.0.0.1:1/cb',
      store: createMemoryTokenStore(),
      baseUrl: emu.url,
    });
    await manager.load();
    const client = createUpstoxClient(manager, { baseUrl: emu.url });
    await expect(client.get('/v2/user/profile')).rejects.toMatchObject({
      code: 'HFT_AUTH_NOT_AUTHENTICATED',
    });
    expect(emu.requests).toHaveLength(0);
  });
});
