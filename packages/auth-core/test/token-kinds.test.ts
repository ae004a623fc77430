import { createManualClock } from '@hft/time/testing';
import { startUpstoxEmulator, type UpstoxEmulator } from '@hft/upstox-emulator';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createMemoryTokenStore,
  createRecordCodec,
  createUpstoxClient,
  kindExpiry,
  processTokenResponse,
  TokenManager,
  type TokenStore,
  upgradeRecord,
} from '../src/index.js';
import { onCleanup } from './helpers.js';

const START = Date.parse('2026-11-26T10:00:00+05:30');
const DAILY_EXPIRY = Date.parse('2026-11-27T03:30:00+05:30');
const DAY = 86_400_000;
const LTP = `/v2/market-quote/ltp?instrument_key=${encodeURIComponent('NSE_EQ|INE002A01018')}`;
const HOLDINGS = '/v2/portfolio/long-term-holdings';

async function jwt(claims: { sub?: string; iat?: number; exp?: number }): Promise<string> {
  let builder = new SignJWT({}).setProtectedHeader({ alg: 'HS256' });
  if (claims.sub) builder = builder.setSubject(claims.sub);
  if (claims.iat !== undefined) builder = builder.setIssuedAt(Math.floor(claims.iat / 1000));
  if (claims.exp !== undefined) builder = builder.setExpirationTime(Math.floor(claims.exp / 1000));
  return builder.sign(new TextEncoder().encode('k'.repeat(32)));
}

async function setup(options: { login?: boolean; store?: TokenStore } = {}) {
  const clock = createManualClock(START);
  const emu: UpstoxEmulator = await startUpstoxEmulator({ clock });
  onCleanup(() => emu.close());
  const store = options.store ?? createMemoryTokenStore();
  const manager = new TokenManager({
    clientId: emu.defaultApp.clientId,
    clientSecret: emu.defaultApp.clientSecret,
    redirectUri: emu.defaultApp.redirectUris[0]!,
    store,
    baseUrl: emu.url,
    clock,
  });
  onCleanup(() => manager.close());
  if (options.login !== false) {
    await manager.setToken(
      processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId, clock }),
    );
  } else {
    await manager.load();
  }
  const client = createUpstoxClient(manager, {
    baseUrl: emu.url,
    orderBaseUrl: emu.url,
    retryBaseDelayMs: 5,
  });
  const sent = (path: string) =>
    emu.requests.filter((r) => r.path === path.split('?')[0]).map((r) => r.headers.authorization);
  return { clock, emu, store, manager, client, sent };
}

describe('token kinds: expiry', () => {
  it('daily follows 03:30 IST; extended and analytics live a year, sandbox 30 days; a JWT exp can only shorten', async () => {
    expect(kindExpiry('daily', 'opaque', START)).toBe(DAILY_EXPIRY);
    expect(kindExpiry('extended', 'opaque', START)).toBe(START + 365 * DAY);
    expect(kindExpiry('analytics', 'opaque', START)).toBe(START + 365 * DAY);
    expect(kindExpiry('sandbox', 'opaque', START)).toBe(START + 30 * DAY);
    const early = await jwt({ exp: START + 10 * DAY });
    expect(kindExpiry('extended', early, START)).toBe(START + 10 * DAY);
    const late = await jwt({ exp: START + 400 * DAY });
    expect(kindExpiry('analytics', late, START)).toBe(START + 365 * DAY);
  });

  it('a login stores the extended token with its JWT exp, and a new exchange without one keeps it', async () => {
    const { emu, clock, manager, store } = await setup();
    const key = manager.accountKey!;
    const first = await store.get(key);
    expect(first?.tokens.extended?.expiresAt).toBe(START + 365 * DAY);
    clock.advance(60_000);
    const again = processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId, clock });
    delete again.tokens.extended;
    await manager.setToken(again);
    const kept = await store.get(key);
    expect(kept?.tokens.daily?.token).toBe(again.tokens.daily!.token);
    expect(kept?.tokens.extended).toEqual(first?.tokens.extended);
    expect(kept?.version).toBe(2);
  });
});

describe('token kinds: records of older versions', () => {
  const old = {
    accountKey: 'upstox:cid:AB1',
    clientId: 'cid',
    accessToken: 'old-daily',
    extendedToken: 'old-extended',
    userId: 'AB1',
    exchanges: ['NSE'],
    products: ['D'],
    orderTypes: ['LIMIT'],
    issuedAt: START,
    expiresAt: DAILY_EXPIRY,
    source: 'oauth',
  };

  it('reads a flat record unchanged as a credential set, and writes version 2 next time', () => {
    expect(upgradeRecord(old)).toEqual({
      accountKey: 'upstox:cid:AB1',
      clientId: 'cid',
      userId: 'AB1',
      exchanges: ['NSE'],
      products: ['D'],
      orderTypes: ['LIMIT'],
      tokens: {
        daily: { token: 'old-daily', issuedAt: START, expiresAt: DAILY_EXPIRY, source: 'oauth' },
        extended: { token: 'old-extended', issuedAt: START, expiresAt: START + 365 * DAY, source: 'oauth' },
      },
    });
    const codec = createRecordCodec({ backend: 'test' });
    const record = codec.decode(old.accountKey, JSON.stringify(old));
    expect(record.tokens.daily?.token).toBe('old-daily');
    expect(record).not.toHaveProperty('version');
    const written = JSON.parse(codec.encode(old.accountKey, record)) as Record<string, unknown>;
    expect(written.version).toBe(2);
    expect(written).not.toHaveProperty('accessToken');
  });

  it('a flat record that names another account is still refused', () => {
    const codec = createRecordCodec({ backend: 'test' });
    expect(() => codec.decode(old.accountKey, JSON.stringify({ ...old, userId: 'OTHER' }))).toThrow(
      expect.objectContaining({ code: 'HFT_STORAGE_CORRUPT' }),
    );
  });
});

describe('token kinds: the manager and the client across 03:30 IST', () => {
  it('after 03:30 the daily read throws expired, reads fall back to extended, then analytics; orders do not', async () => {
    const { clock, emu, manager, client, sent } = await setup();
    const extended = manager.getExtendedToken()!;
    clock.set(DAILY_EXPIRY + 1);
    expect(() => manager.getAccessToken()).toThrow(expect.objectContaining({ code: 'HFT_AUTH_EXPIRED' }));
    expect(manager.peekToken('extended')).toBe(extended);
    expect(manager.isKindValid('daily')).toBe(false);

    // Holdings: the extended token may read it.
    const holdings = await client.get(HOLDINGS);
    expect(holdings.status).toBe(200);
    expect(sent(HOLDINGS)).toEqual([`Bearer ${extended}`]);

    // LTP: extended is refused (UDAPI100067); with no analytics token the daily's own reason is
    // the error, naming the refusal.
    const refused = (await client.get(LTP).catch((e: unknown) => e)) as Error & { code: string };
    expect(refused).toMatchObject({ code: 'HFT_AUTH_EXPIRED' });
    expect(refused.message).toContain('extended token may not call GET /v2/market-quote/ltp (UDAPI100067)');
    expect(refused.message).not.toContain(extended);

    // With an analytics token (My Apps › Analytics) the same call succeeds on it.
    const analytics = await emu.generateToken({ kind: 'analytics' });
    await manager.importToken('analytics', analytics.token);
    const ltp = await client.get(LTP);
    expect(ltp.status).toBe(200);
    expect(sent(LTP).at(-1)).toBe(`Bearer ${analytics.token}`);

    // An order never falls back: nothing is sent.
    emu.setStaticIps({ ips: ['127.0.0.1'] });
    const order = await client.post('/v2/order/place', { quantity: 1 }).catch((e: unknown) => e);
    expect(order).toMatchObject({ code: 'HFT_AUTH_EXPIRED' });
    expect(sent('/v2/order/place')).toEqual([]);
  });

  it('readKinds: false keeps reads on the daily token only', async () => {
    const { clock, emu, manager, sent } = await setup();
    const client = createUpstoxClient(manager, { baseUrl: emu.url, readKinds: false });
    clock.set(DAILY_EXPIRY + 1);
    await expect(client.get(HOLDINGS)).rejects.toMatchObject({ code: 'HFT_AUTH_EXPIRED' });
    expect(sent(HOLDINGS)).toEqual([]);
  });

  it('a forced kind that Upstox refuses is HFT_AUTH_WRONG_TOKEN_KIND naming the kind sent and the kinds that may', async () => {
    const { client, manager } = await setup();
    const e = (await client
      .get('/v2/user/profile', { hftKind: 'extended' } as never)
      .catch((error: unknown) => error)) as Error & {
      code: string;
      details: Record<string, unknown>;
    };
    expect(e).toMatchObject({ code: 'HFT_AUTH_WRONG_TOKEN_KIND', details: { kind: 'extended' } });
    expect(e.message).toMatch(/with the extended token \(UDAPI100067\); kinds that may: daily/);
    expect(e.message).not.toContain(manager.getExtendedToken()!);
    // The daily token is untouched: Upstox refused the kind, not the token.
    expect(manager.isTokenValid()).toBe(true);
  });

  it('a 401 invalidates only the kind that was sent', async () => {
    const { clock, emu, manager, client } = await setup();
    const events: Array<[string, string]> = [];
    manager.on('invalidated', (e) => events.push([e.kind, e.reason]));
    const extended = manager.getExtendedToken()!;
    emu.revoke(extended);
    await expect(client.get(HOLDINGS, { hftKind: 'extended' } as never)).rejects.toMatchObject({
      code: 'HFT_AUTH_INVALIDATED',
    });
    expect(events).toEqual([['extended', 'broker-rejected']]);
    expect(manager.isKindValid('extended')).toBe(false);
    expect(manager.isTokenValid()).toBe(true);
    expect((await client.get(HOLDINGS)).status).toBe(200);
    clock.set(DAILY_EXPIRY + 1);
    // Daily expired and extended rejected: nothing may read.
    await expect(client.get(HOLDINGS)).rejects.toMatchObject({ code: 'HFT_AUTH_EXPIRED' });
  });

  it('emits expiring for the year-long kinds 30 days ahead, once, with the kind', async () => {
    const { clock, manager } = await setup();
    const seen: Array<[string, number]> = [];
    manager.on('expiring', (e) => seen.push([e.kind, e.leadMs]));
    manager.on('expired', (e) => seen.push([`${e.kind}:expired`, 0]));
    clock.set(DAILY_EXPIRY + 1);
    manager.checkExpiry();
    expect(seen.filter(([kind]) => kind.startsWith('extended'))).toEqual([]);
    clock.set(START + 335 * DAY + 1);
    manager.checkExpiry();
    manager.checkExpiry();
    expect(seen.filter(([kind]) => kind === 'extended')).toEqual([['extended', 30 * DAY]]);
    clock.set(START + 365 * DAY);
    manager.checkExpiry();
    expect(seen.map(([kind]) => kind)).toContain('extended:expired');
  });
});

describe('token kinds: import', () => {
  it('imports an analytics token without any login: the account is learnt from the token and checked on a GET', async () => {
    const { emu, manager, store, client } = await setup({ login: false });
    const analytics = await emu.generateToken({ kind: 'analytics' });
    const { record, verified } = await manager.importToken('analytics', `  ${analytics.token}\n`);
    expect(verified).toBe(true);
    expect(record.userId).toBe(emu.defaultUser.userId);
    expect(record.tokens).toEqual({
      analytics: {
        token: analytics.token,
        issuedAt: analytics.issuedAt - (analytics.issuedAt % 1000),
        expiresAt: analytics.expiresAt - (analytics.expiresAt % 1000),
        source: 'console',
      },
    });
    expect(await store.get(record.accountKey)).toEqual(record);
    expect(() => manager.getAccessToken()).toThrow(
      expect.objectContaining({ code: 'HFT_AUTH_NOT_AUTHENTICATED' }),
    );
    expect((await client.get(LTP)).status).toBe(200);
  });

  it.each([
    ['empty input', '', 'standard input was empty'],
    ['two tokens', 'a.b.c d.e.f', 'white space'],
    ['not a JWT', 'not-a-jwt-token', 'not a JWT'],
  ])('refuses %s, naming the problem, storing nothing', async (_name, input, message) => {
    const { manager, store } = await setup({ login: false });
    await expect(manager.importToken('analytics', input)).rejects.toMatchObject({
      code: 'HFT_INPUT_INVALID',
      message: expect.stringContaining(message),
    });
    expect(await store.list()).toEqual([]);
  });

  it('refuses an expired token, a revoked one, one of another kind and one of another user; stores nothing, echoes nothing', async () => {
    const { emu, clock, manager, store } = await setup({ login: false });
    const expired = await jwt({ sub: emu.defaultUser.userId, exp: START - 1000 });
    const e1 = await manager.importToken('analytics', expired).catch((e: Error) => e);
    expect(e1).toMatchObject({ code: 'HFT_INPUT_INVALID', message: expect.stringContaining('expired') });

    const revoked = await emu.generateToken({ kind: 'analytics' });
    await emu.generateToken({ kind: 'analytics' }); // a new one revokes the previous (one per account)
    const e2 = await manager.importToken('analytics', revoked.token).catch((e: Error) => e);
    expect(e2).toMatchObject({ code: 'HFT_AUTH_INVALIDATED' });

    const daily = processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId, clock });
    const extendedAsAnalytics = await manager
      .importToken('analytics', daily.tokens.extended!.token)
      .catch((e: Error) => e);
    expect(extendedAsAnalytics).toMatchObject({ code: 'HFT_AUTH_WRONG_TOKEN_KIND' });

    const fresh = await emu.generateToken({ kind: 'analytics' });
    const e3 = await manager
      .importToken('analytics', fresh.token, { userId: 'SOMEONE9' })
      .catch((e: Error) => e);
    expect(e3).toMatchObject({
      code: 'HFT_INPUT_INVALID',
      message: expect.stringContaining('not to the account chosen'),
    });

    for (const error of [e1, e2, extendedAsAnalytics, e3]) {
      for (const token of [expired, revoked.token, daily.tokens.extended!.token, fresh.token]) {
        expect((error as Error).message).not.toContain(token);
      }
    }
    expect(await store.list()).toEqual([]);
  });

  it('imports without a check (--no-verify) and keeps the kinds already held', async () => {
    const { emu, manager, store } = await setup();
    const before = await store.get(manager.accountKey!);
    const offline = await jwt({ sub: emu.defaultUser.userId, iat: START - DAY, exp: START + 300 * DAY });
    const { record, verified } = await manager.importToken('analytics', offline, { verify: false });
    expect(verified).toBe(false);
    expect(record.tokens.daily).toEqual(before?.tokens.daily);
    expect(record.tokens.extended).toEqual(before?.tokens.extended);
    expect(record.tokens.analytics).toMatchObject({
      issuedAt: START - DAY,
      expiresAt: START + 300 * DAY,
      source: 'console',
    });
    expect(record.exchanges).toEqual(before?.exchanges);
    expect(emu.requests.filter((r) => r.path === '/v2/market-quote/ltp')).toEqual([]);
  });

  it('checks a sandbox token on the sandbox host', async () => {
    const clock = createManualClock(START);
    const sandbox = await startUpstoxEmulator({ clock, sandbox: true });
    onCleanup(() => sandbox.close());
    const live = await startUpstoxEmulator({ clock });
    onCleanup(() => live.close());
    const manager = new TokenManager({
      clientId: sandbox.defaultApp.clientId,
      redirectUri: sandbox.defaultApp.redirectUris[0]!,
      store: createMemoryTokenStore(),
      baseUrl: live.url,
      sandboxBaseUrl: sandbox.url,
      clock,
    });
    onCleanup(() => manager.close());
    const token = await sandbox.generateToken({ kind: 'sandbox' });
    const { record, verified } = await manager.importToken('sandbox', token.token);
    expect(verified).toBe(true);
    expect(record.tokens.sandbox?.expiresAt).toBe(token.expiresAt - (token.expiresAt % 1000));
    // A sandbox client sends it, and only it, to the sandbox host.
    const client = createUpstoxClient(manager, { sandbox: true, baseUrl: sandbox.url });
    const res = await client.post('/v2/order/place', {
      quantity: 1,
      product: 'D',
      validity: 'DAY',
      price: 0,
      instrument_token: 'NSE_EQ|INE002A01018',
      order_type: 'MARKET',
      transaction_type: 'BUY',
      disclosed_quantity: 0,
      trigger_price: 0,
      is_amo: false,
    });
    expect(res.status).toBe(200);
    expect(sandbox.requests.at(-1)?.headers.authorization).toBe(`Bearer ${token.token}`);
    // The live token of another sandbox app would fail the check: a live emulator never issued it.
    const foreign = await live.generateToken({ kind: 'sandbox' });
    await expect(manager.importToken('sandbox', foreign.token)).rejects.toMatchObject({
      code: 'HFT_AUTH_INVALIDATED',
    });
  });
});

describe('token kinds: logout', () => {
  it('removes the daily token by default, keeping the rest; --all removes the set', async () => {
    const { emu, manager, store } = await setup();
    const key = manager.accountKey!;
    await manager.importToken('analytics', (await emu.generateToken({ kind: 'analytics' })).token);
    const gone: string[] = [];
    manager.on('invalidated', (e) => gone.push(`${e.kind}:${e.reason}`));
    expect(await manager.logout()).toMatchObject({
      removedKinds: ['daily'],
      remainingKinds: ['extended', 'analytics'],
      broker: 'revoked',
    });
    expect(gone).toEqual(['daily:logout']);
    expect(manager.isKindValid('analytics')).toBe(true);
    expect(await manager.logout({ kinds: ['analytics'] })).toMatchObject({
      removedKinds: ['analytics'],
      remainingKinds: ['extended'],
      broker: 'skipped',
    });
    expect(Object.keys((await store.get(key))!.tokens)).toEqual(['extended']);
    expect(await manager.logout({ kinds: 'all' })).toMatchObject({
      removedKinds: ['extended'],
      remainingKinds: [],
    });
    expect(await store.get(key)).toBeUndefined();
  });
});
