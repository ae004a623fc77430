import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManualClock, type ManualClock } from '@hft/time/testing';
import { completeLogin, startUpstoxEmulator, type UpstoxEmulator } from '@hft/upstox-emulator';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createMemoryBackend,
  createMemoryTokenStore,
  type MemoryBackend,
  parseCallback,
  TokenManager,
  type TokenManagerOptions,
  UpstoxAuthenticator,
} from '../src/index.js';
import { onCleanup } from './helpers.js';

const START = Date.parse('2026-11-26T10:00:00+05:30');
const EXPIRY = Date.parse('2026-11-27T03:30:00+05:30');
const TOKEN_PATH = '/v2/login/authorization/token';

/** Every error message and JSON seen in this file; scanned for secrets at the end of each test. */
const seenText: string[] = [];
function remember(error: unknown): unknown {
  if (error instanceof Error) {
    seenText.push(error.message, JSON.stringify(error), String((error as { cause?: unknown }).cause ?? ''));
  }
  return error;
}

async function setup(options: Partial<TokenManagerOptions> = {}) {
  const clock: ManualClock = createManualClock(START);
  const emu: UpstoxEmulator = await startUpstoxEmulator({ clock });
  onCleanup(() => emu.close());
  const backend: MemoryBackend = createMemoryBackend();
  const store = createMemoryTokenStore({ backend });
  // Every line the managers log, scanned for secrets after the test.
  const logged: string[] = [];
  const line = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    logged.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const logger = { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
  const make = (extra: Partial<TokenManagerOptions> = {}) => {
    const manager = new TokenManager({
      clientId: emu.defaultApp.clientId,
      clientSecret: emu.defaultApp.clientSecret,
      redirectUri: emu.defaultApp.redirectUris[0]!,
      store,
      baseUrl: emu.url,
      clock,
      logger,
      ...options,
      ...extra,
    });
    onCleanup(() => manager.close());
    return manager;
  };
  const manager = make();
  onCleanup(async () => {
    // Secrets: the client secret, every token the emulator issued, every code sent to it.
    const secrets = [emu.defaultApp.clientSecret];
    for (const key of await store.list()) {
      const r = await store.get(key);
      if (r) for (const held of Object.values(r.tokens)) secrets.push(held.token);
    }
    for (const request of emu.requests) {
      const body = request.body as Record<string, unknown> | undefined;
      if (request.path === TOKEN_PATH && typeof body?.code === 'string') secrets.push(body.code);
      const auth = request.headers.authorization;
      if (typeof auth === 'string' && auth.startsWith('Bearer ')) secrets.push(auth.slice(7));
    }
    const texts = [...seenText.splice(0), ...logged];
    for (const text of texts) for (const s of secrets) expect(text).not.toContain(s);
  });
  /** Logs in through the real dialog; returns the code and the state the manager generated. */
  const login = async (m: TokenManager = manager, values = {}) => {
    const authUrl = m.getAuthorizationUrl();
    const state = new URL(authUrl).searchParams.get('state')!;
    const callback = parseCallback(await completeLogin(authUrl, values), state);
    return { code: callback.code, state };
  };
  const tokenCalls = () => emu.requests.filter((r) => r.path === TOKEN_PATH).length;
  return { emu, clock, store, backend, manager, make, login, tokenCalls };
}

async function expectRejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => remember(e),
  );
  return error as Error & Record<string, unknown>;
}

describe('login against the emulator', () => {
  it('builds the login URL, exchanges the code once and stores the token', async () => {
    const { emu, manager, store, login } = await setup();
    const authUrl = new URL(manager.getAuthorizationUrl());
    expect(authUrl.origin + authUrl.pathname).toBe(`${emu.url}/v2/login/authorization/dialog`);
    expect(authUrl.searchParams.get('response_type')).toBe('code');
    const { code, state } = await login();
    const tokens: string[] = [];
    manager.onTokenRotated((t) => tokens.push(t));
    const record = await manager.exchangeCodeForToken(code, { state });
    expect(record).toMatchObject({
      accountKey: `upstox:${emu.defaultApp.clientId}:${emu.defaultUser.userId}`,
      userId: emu.defaultUser.userId,
      userName: emu.defaultUser.userName,
      email: emu.defaultUser.email,
      broker: 'UPSTOX',
      exchanges: emu.defaultUser.exchanges,
      tokens: { daily: { issuedAt: START, expiresAt: EXPIRY, source: 'oauth' } },
    });
    // The extended token comes with the exchange and lives a year (its JWT exp).
    expect(record.tokens.extended?.token).toBeTruthy();
    expect(record.tokens.extended).toMatchObject({ issuedAt: START, source: 'oauth' });
    expect(record.tokens.extended!.expiresAt).toBeGreaterThan(START + 360 * 86_400_000);
    expect(manager.getAccessToken()).toBe(record.tokens.daily!.token);
    expect(await store.get(record.accountKey)).toEqual(record);
    expect(tokens).toEqual([record.tokens.daily!.token]);
    const sent = emu.requests.find((r) => r.path === TOKEN_PATH)!;
    expect(sent.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(sent.headers.accept).toBe('application/json');
    expect(sent.headers['api-version']).toBe('2.0');
    expect(sent.query).toEqual({});
    const profile = await manager.whoami();
    expect(profile.userId).toBe(emu.defaultUser.userId);
  });

  it('refuses a state it did not generate and sends nothing', async () => {
    const { manager, login, tokenCalls } = await setup();
    const { code } = await login();
    const error = await expectRejection(manager.exchangeCodeForToken(code, { state: 'forged-state' }));
    expect(error).toMatchObject({ name: 'AuthError', code: 'HFT_AUTH_STATE_MISMATCH' });
    expect(tokenCalls()).toBe(0);
  });

  it('never sends a code twice: a double submit shares one exchange, a later reuse is refused locally', async () => {
    const { manager, login, tokenCalls } = await setup();
    const { code, state } = await login();
    const [a, b] = await Promise.all([
      manager.exchangeCodeForToken(code, { state }),
      manager.exchangeCodeForToken(code),
    ]);
    expect(a).toBe(b);
    const again = await expectRejection(manager.exchangeCodeForToken(code));
    expect(again).toMatchObject({ code: 'HFT_AUTH_CODE_ALREADY_USED' });
    expect(tokenCalls()).toBe(1);
  });

  it('never re-sends a code whose exchange failed', async () => {
    const { make, login, tokenCalls } = await setup();
    const wrong = make({ clientSecret: 'not-the-secret' });
    const { code, state } = await login(wrong);
    const first = await expectRejection(wrong.exchangeCodeForToken(code, { state }));
    expect(first).toMatchObject({ name: 'BrokerError', brokerCode: 'UDAPI100016', status: 401 });
    expect(first.message).not.toContain('not-the-secret');
    const second = await expectRejection(wrong.exchangeCodeForToken(code));
    expect(second).toMatchObject({ code: 'HFT_AUTH_CODE_ALREADY_USED' });
    expect(tokenCalls()).toBe(1);
  });

  it('maps every documented login error to BrokerError with the Upstox code', async () => {
    const { emu, clock, manager, make, login } = await setup();
    // Spent code (used by another client of the same app first).
    {
      const { code, state } = await login();
      await make().exchangeCodeForToken(code);
      const e = await expectRejection(manager.exchangeCodeForToken(code, { state }));
      expect(e).toMatchObject({ brokerCode: 'UDAPI100057', code: 'HFT_BROKER_ERROR' });
      expect(e.message).not.toContain(code);
    }
    // Expired code: past the emulator's 10-minute code lifetime.
    {
      const { code, state } = await login();
      clock.advance(10 * 60_000 + 1);
      const e = await expectRejection(manager.exchangeCodeForToken(code, { state }));
      expect(e).toMatchObject({ brokerCode: 'UDAPI100057' });
    }
    // Redirect URI other than the one the code was issued for.
    {
      emu.upsertApp({
        clientId: emu.defaultApp.clientId,
        redirectUris: [...emu.defaultApp.redirectUris, 'http://127.0.0.1:5099/other'],
      });
      const other = make({ redirectUri: 'http://127.0.0.1:5099/other' });
      const { code } = await login();
      const e = await expectRejection(other.exchangeCodeForToken(code));
      expect(e).toMatchObject({ brokerCode: 'UDAPI100068', status: 400 });
    }
    // No active segments.
    {
      emu.upsertUser({ userId: emu.defaultUser.userId, segmentsActive: false });
      const { code, state } = await login();
      const e = await expectRejection(manager.exchangeCodeForToken(code, { state }));
      expect(e).toMatchObject({ brokerCode: 'UDAPI100058' });
      expect(e.message).toContain('No segments');
      emu.upsertUser({ userId: emu.defaultUser.userId, segmentsActive: true });
    }
    // Inactive client id.
    {
      const { code, state } = await login();
      emu.upsertApp({ clientId: emu.defaultApp.clientId, active: false });
      const e = await expectRejection(manager.exchangeCodeForToken(code, { state }));
      expect(e).toMatchObject({ brokerCode: 'UDAPI100073' });
    }
  });

  it.each([
    ['an HTML block page', { html: true }, 'HFT_NETWORK_NON_JSON', /HTML page/],
    [
      'a reset connection',
      { reset: true },
      'HFT_NETWORK_UNREACHABLE',
      /POST \/v2\/login\/authorization\/token failed/,
    ],
    ['a response that never arrives', { hang: true }, 'HFT_NETWORK_TIMEOUT', /did not answer in time/],
  ])('turns %s into NetworkError naming the endpoint', async (_label, fault, code, message) => {
    const { emu, make, login } = await setup();
    const manager = make({ timeoutMs: 300 });
    const { code: authCode, state } = await login(manager);
    emu.setFault(`POST ${TOKEN_PATH}`, fault);
    const e = await expectRejection(manager.exchangeCodeForToken(authCode, { state }));
    expect(e).toMatchObject({ name: 'NetworkError', code, endpoint: `POST ${TOKEN_PATH}` });
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(authCode);
  });

  it('maps a 5xx envelope to BrokerError', async () => {
    const { emu, manager, login } = await setup();
    const { code, state } = await login();
    emu.setFault(`POST ${TOKEN_PATH}`, { status: 503 });
    const e = await expectRejection(manager.exchangeCodeForToken(code, { state }));
    expect(e).toMatchObject({ name: 'BrokerError', status: 503, brokerCode: 'UDAPI100500' });
  });
});

/** A stand-in token endpoint (real HTTP) that answers `body` to every exchange. */
async function tokenServer(body: Record<string, unknown>): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('token response handling over HTTP', () => {
  const flat = {
    email: 'e@example.com',
    exchanges: ['NSE'],
    products: ['D'],
    broker: 'UPSTOX',
    user_id: 'XY9',
    user_name: 'X',
    order_types: ['LIMIT'],
    user_type: 'individual',
    poa: false,
    is_active: true,
  };

  it('keeps extra unknown fields, and honours a JWT exp earlier than 03:30 IST', async () => {
    const clock = createManualClock(START);
    const earlier = Date.parse('2026-11-26T20:00:00+05:30');
    const jwt = await new SignJWT({ sub: 'XY9' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(earlier / 1000)
      .sign(new TextEncoder().encode('s'.repeat(32)));
    const url = await tokenServer({ ...flat, access_token: jwt, ddpi: true, brand_new: { x: [1, 2] } });
    const manager = new TokenManager({
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://127.0.0.1:1/cb',
      store: createMemoryTokenStore(),
      baseUrl: url,
      clock,
    });
    onCleanup(() => manager.close());
    const record = await manager.exchangeCodeForToken('code-1');
    expect(record.extra).toEqual({ ddpi: true, brand_new: { x: [1, 2] } });
    expect(record.tokens.daily!.expiresAt).toBe(earlier);
    clock.set(earlier);
    expect(manager.isTokenValid()).toBe(false);
  });

  it('rejects a 200 body that misses a required field, naming it', async () => {
    const url = await tokenServer({ ...flat });
    const manager = new TokenManager({
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://127.0.0.1:1/cb',
      store: createMemoryTokenStore(),
      baseUrl: url,
    });
    onCleanup(() => manager.close());
    const e = await expectRejection(manager.exchangeCodeForToken('code-2'));
    expect(e).toMatchObject({ code: 'HFT_BROKER_INVALID_RESPONSE' });
    expect(e.message).toContain('"access_token" is missing');
  });
});

describe('lifecycle against the emulator', () => {
  it('crosses 03:30 IST with the shared manual clock', async () => {
    const { clock, manager, login } = await setup();
    const { code, state } = await login();
    await manager.exchangeCodeForToken(code, { state });
    clock.set(EXPIRY - 1);
    expect(manager.isTokenValid()).toBe(true);
    expect((await manager.whoami()).userId).toBeTruthy();
    clock.set(EXPIRY);
    expect(manager.isTokenValid()).toBe(false);
    await expect(manager.whoami()).rejects.toMatchObject({ code: 'HFT_AUTH_EXPIRED' });
  });

  it('turns 401 UDAPI100050 into invalidated (once) and AuthError', async () => {
    const { emu, manager, login } = await setup();
    const { code, state } = await login();
    const record = await manager.exchangeCodeForToken(code, { state });
    const reasons: string[] = [];
    manager.on('invalidated', (e) => reasons.push(e.reason));
    emu.revoke(record.tokens.daily!.token);
    const e = await expectRejection(manager.whoami());
    expect(e).toMatchObject({ name: 'AuthError', code: 'HFT_AUTH_INVALIDATED' });
    expect(manager.isTokenValid()).toBe(false);
    await expectRejection(manager.whoami());
    expect(reasons).toEqual(['broker-rejected']);
  });

  it('logs out at the broker and locally', async () => {
    const { emu, manager, store, login } = await setup();
    const { code, state } = await login();
    const record = await manager.exchangeCodeForToken(code, { state });
    const result = await manager.logout();
    // The daily token goes; the year-long extended token stays (logout --all removes it too).
    expect(result).toEqual({
      localRemoved: true,
      removedKinds: ['daily'],
      remainingKinds: ['extended'],
      broker: 'revoked',
    });
    const left = await store.get(record.accountKey);
    expect(left?.tokens.daily).toBeUndefined();
    expect(left?.tokens.extended?.token).toBe(record.tokens.extended!.token);
    expect(await manager.logout({ kinds: 'all' })).toMatchObject({
      localRemoved: true,
      removedKinds: ['extended'],
      remainingKinds: [],
      broker: 'skipped',
    });
    expect(await store.get(record.accountKey)).toBeUndefined();
    const res = await fetch(`${emu.url}/v2/user/profile`, {
      headers: { authorization: `Bearer ${record.tokens.daily!.token}` },
    });
    expect(res.status).toBe(401);
  });

  it('still removes the local record when the broker logout fails, and reports it', async () => {
    const { emu, manager, store, login } = await setup();
    const { code, state } = await login();
    const record = await manager.exchangeCodeForToken(code, { state });
    emu.setFault('DELETE /v2/logout', { status: 500 });
    const result = await manager.logout();
    expect(result.broker).toBe('failed');
    expect(result.localRemoved).toBe(true);
    expect(result.error).toMatchObject({ name: 'BrokerError', status: 500 });
    expect((await store.get(record.accountKey))?.tokens.daily).toBeUndefined();
    expect(() => manager.getAccessToken()).toThrow(
      expect.objectContaining({ code: 'HFT_AUTH_NOT_AUTHENTICATED' }),
    );
  });

  it('keeps two accounts of one app isolated', async () => {
    const { emu, make, login, backend } = await setup();
    emu.upsertUser({
      ...emu.defaultUser,
      userId: 'SECOND2',
      userName: 'Second',
      email: 'second@example.com',
      mobile: '8888888888',
      otp: '222222',
      pin: '222222',
    });
    const first = make({ account: 'first' });
    const second = make({ account: 'second' });
    const a = await login(first);
    await first.exchangeCodeForToken(a.code, { state: a.state });
    const b = await login(second, { mobile: '8888888888', otp: '222222', pin: '222222' });
    await second.exchangeCodeForToken(b.code, { state: b.state });
    expect(first.getTokenInfo()?.userId).toBe(emu.defaultUser.userId);
    expect(second.getTokenInfo()?.userId).toBe('SECOND2');
    expect(first.getAccessToken()).not.toBe(second.getAccessToken());
    const fresh = make({ account: 'second', store: createMemoryTokenStore({ backend }) });
    expect(await fresh.getValidToken()).toBe(second.getAccessToken());
    expect((await first.whoami()).userId).toBe(emu.defaultUser.userId);
    expect((await second.whoami()).userId).toBe('SECOND2');
  });

  it('sends the v3 token request and returns its expiry', async () => {
    const { emu, manager } = await setup();
    emu.upsertApp({ clientId: emu.defaultApp.clientId, notifierUrl: 'http://127.0.0.1:9/hook' });
    const result = await manager.requestToken();
    expect(result).toEqual({ authorizationExpiry: EXPIRY, notifierUrl: 'http://127.0.0.1:9/hook' });
    const sent = emu.requests.find((r) => r.path.startsWith('/v3/login/auth/token/request/'))!;
    expect(sent.headers['content-type']).toContain('application/json');
    expect(sent.query).toEqual({});
  });
});

async function authenticatorSetup() {
  const clock = createManualClock(START);
  const emu = await startUpstoxEmulator({ clock });
  onCleanup(() => emu.close());
  const auth = new UpstoxAuthenticator({
    credentials: {
      clientId: emu.defaultApp.clientId,
      clientSecret: emu.defaultApp.clientSecret,
      redirectUri: emu.defaultApp.redirectUris[0]!,
    },
    store: createMemoryTokenStore(),
    baseUrl: emu.url,
    clock,
  });
  onCleanup(() => auth.close());
  return { clock, emu, auth };
}

describe('two managers on one store', () => {
  it("one logs in; the other's synchronous getter returns the new token without any call", async () => {
    const { emu, backend, make, login } = await setup();
    const trader = make({
      store: createMemoryTokenStore({ backend }),
      account: `upstox:${emu.defaultApp.clientId}:${emu.defaultUser.userId}`,
    });
    await trader.load();
    expect(trader.isTokenValid()).toBe(false);
    const desk = make();
    const { code, state } = await login(desk);
    const record = await desk.exchangeCodeForToken(code, { state });
    // No call on `trader`: its store watch delivers the token.
    await expect.poll(() => trader.isTokenValid()).toBe(true);
    expect(trader.getAccessToken()).toBe(record.tokens.daily!.token);
  });
});

describe('UpstoxAuthenticator (the original surface)', () => {
  it('authenticate -> true, status in the original shape, logout -> true', async () => {
    const { clock, emu, auth } = await authenticatorSetup();
    await auth.load();
    expect(auth.getToken()).toBeNull();
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.getStatus()).toEqual({
      is_authenticated: false,
      token_info: null,
      message: 'Not authenticated: no token stored',
      tokens: {},
    });
    const url = auth.getLoginUrl('fixed-state');
    const { code } = parseCallback(await completeLogin(url), 'fixed-state');
    expect(await auth.authenticate(code, { state: 'fixed-state' })).toBe(true);
    expect(auth.lastError).toBeUndefined();
    expect(auth.getToken()).toBe(auth.tokenManager.getAccessToken());
    clock.set(EXPIRY - 90_500);
    expect(auth.getStatus()).toEqual({
      is_authenticated: true,
      token_info: {
        user_id: emu.defaultUser.userId,
        user_name: emu.defaultUser.userName,
        email: emu.defaultUser.email,
        issued_at: '2026-11-26T10:00:00.000+05:30',
        expires_at: '2026-11-27T03:30:00.000+05:30',
        remaining_time_seconds: 90,
        exchanges: emu.defaultUser.exchanges,
        products: emu.defaultUser.products,
        order_types: emu.defaultUser.orderTypes,
      },
      message: `Authenticated as ${emu.defaultUser.userId} until 2026-11-27T03:30:00.000+05:30`,
      tokens: {
        daily: {
          issued_at: '2026-11-26T10:00:00.000+05:30',
          expires_at: '2026-11-27T03:30:00.000+05:30',
          remaining_time_seconds: 90,
          is_valid: true,
          source: 'oauth',
        },
        extended: expect.objectContaining({ is_valid: true, source: 'oauth' }),
      },
    });
    expect(await auth.authenticate(code)).toBe(false);
    expect(auth.lastError?.code).toBe('HFT_AUTH_CODE_ALREADY_USED');
    expect(await auth.logout()).toBe(true);
    expect(auth.getToken()).toBeNull();
    clock.set(EXPIRY + 1);
  });

  it('getStatus reports an expired token', async () => {
    const { clock, auth } = await authenticatorSetup();
    const url = auth.getLoginUrl('s');
    expect(await auth.authenticate(parseCallback(await completeLogin(url), 's').code, { state: 's' })).toBe(
      true,
    );
    clock.set(EXPIRY + 5_000);
    const status = auth.getStatus();
    expect(status.is_authenticated).toBe(false);
    expect(status.token_info?.remaining_time_seconds).toBe(0);
    expect(status.message).toBe(
      'Token expired at 2026-11-27T03:30:00.000+05:30; log in again (still valid: extended)',
    );
    expect(status.tokens.extended?.is_valid).toBe(true);
  });
});
