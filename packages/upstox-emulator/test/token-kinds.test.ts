import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { UpstoxEmulator } from '../src/index.js';
import { ROUTES, SANDBOX_ROUTES } from '../src/router.js';
import type { Route } from '../src/routes/context.js';
import { type ApiClass, TOKEN_ACCESS } from '../src/token-access.js';
import type { TokenKind } from '../src/tokens.js';
import {
  authFetch,
  authGet,
  expectUpstoxError,
  get,
  loginForToken,
  orderRequest,
  postJson,
  START,
  startEmulator,
} from './helpers.js';

const DAY = 86_400_000;
const LTP = '/v2/market-quote/ltp?instrument_key=NSE_EQ|INE002A01018';

/** A fresh token of `kind` for the default user. */
async function tokenOf(emu: UpstoxEmulator, kind: TokenKind): Promise<string> {
  if (kind === 'access') return (await emu.issueToken()).access_token;
  if (kind === 'extended') return (await emu.issueToken()).extended_token!;
  return (await emu.generateToken({ kind })).token;
}

/** A valid request to `route` (query and body), so only the token decides the answer. */
function requestFor(route: Route): { path: string; json?: unknown } {
  if (route.order) {
    const { query, json } = orderRequest(route.order.category);
    return { path: `${route.pattern}${query}`, json };
  }
  if (route.pattern === '/v2/market-quote/ltp') return { path: LTP };
  if (route.method === 'PUT' && route.pattern === '/v2/user/ip') {
    return { path: route.pattern, json: { primary_ip: '127.0.0.1' } };
  }
  return { path: route.pattern };
}

function call(emu: UpstoxEmulator, route: Route, token: string): Promise<Response> {
  const { path, json } = requestFor(route);
  return authFetch(`${emu.url}${path}`, token, { method: route.method, json });
}

const KINDS: TokenKind[] = ['access', 'extended', 'analytics', 'sandbox'];
const protectedRoutes = ROUTES.filter((r): r is Route & { auth: ApiClass } => r.auth !== undefined);

describe('token kinds', () => {
  it('generateToken mints analytics (1 year) and sandbox (30 days) JWTs with a real exp', async () => {
    const { emu } = await startEmulator();
    const analytics = await emu.generateToken({ kind: 'analytics' });
    expect(analytics).toMatchObject({
      kind: 'analytics',
      clientId: 'emulator-client',
      userId: 'EMU001',
      issuedAt: START,
      expiresAt: START + 365 * DAY,
    });
    expect(decodeJwt(analytics.token)).toMatchObject({ sub: 'EMU001', exp: (START + 365 * DAY) / 1000 });
    const sandbox = await emu.generateToken({ kind: 'sandbox' });
    expect(sandbox.expiresAt).toBe(START + 30 * DAY);
    expect(decodeJwt(sandbox.token).exp).toBe((START + 30 * DAY) / 1000);
    await expect(emu.generateToken({ kind: 'daily' as 'sandbox' })).rejects.toMatchObject({
      code: 'HFT_INPUT_INVALID',
      details: { argument: 'kind' },
    });
  });

  it('POST /_emulator/tokens/generate mints the same; a bad kind is a 400 control error', async () => {
    const { emu } = await startEmulator();
    const res = await postJson(`${emu.url}/_emulator/tokens/generate`, { kind: 'analytics' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { token: string; kind: string; expiresAt: number } };
    expect(body.data).toMatchObject({ kind: 'analytics', expiresAt: START + 365 * DAY });
    expect((await authGet(`${emu.url}${LTP}`, body.data.token)).status).toBe(200);
    const bad = await postJson(`${emu.url}/_emulator/tokens/generate`, { kind: 'extended' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'error', error: { code: 'HFT_INPUT_INVALID' } });
  });

  it('a new analytics token revokes the previous one (one per account)', async () => {
    const { emu } = await startEmulator();
    const first = (await emu.generateToken({ kind: 'analytics' })).token;
    expect((await authGet(`${emu.url}${LTP}`, first)).status).toBe(200);
    const second = (await emu.generateToken({ kind: 'analytics' })).token;
    await expectUpstoxError(await authGet(`${emu.url}${LTP}`, first), 401, 'UDAPI100050');
    expect((await authGet(`${emu.url}${LTP}`, second)).status).toBe(200);
  });

  it('analytics lives one year and sandbox 30 days by the emulator clock', async () => {
    const { emu, clock } = await startEmulator();
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    clock.set(START + 365 * DAY - 1);
    expect((await authGet(`${emu.url}${LTP}`, analytics)).status).toBe(200);
    clock.set(START + 365 * DAY);
    await expectUpstoxError(await authGet(`${emu.url}${LTP}`, analytics), 401, 'UDAPI100050');

    const box = await startEmulator({ sandbox: true });
    const sandbox = (await box.emu.generateToken({ kind: 'sandbox' })).token;
    const place = (t: string) =>
      authFetch(`${box.emu.url}/v2/order/place`, t, { method: 'POST', json: orderRequest('place').json });
    box.clock.set(START + 30 * DAY - 1);
    expect((await place(sandbox)).status).toBe(200);
    box.clock.set(START + 30 * DAY);
    await expectUpstoxError(await place(sandbox), 401, 'UDAPI100050');
  });

  it('answers UDAPI100067 with a kind-specific message to extended and analytics tokens', async () => {
    const { emu } = await startEmulator();
    const extended = (await loginForToken(emu)).extended_token as string;
    const e = await expectUpstoxError(await authGet(`${emu.url}${LTP}`, extended), 403, 'UDAPI100067');
    expect(e.message).toBe('The API you are trying to access is not permitted with an extended_token');
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    const a = await expectUpstoxError(
      await authFetch(`${emu.url}/v2/logout`, analytics, { method: 'DELETE' }),
      403,
      'UDAPI100067',
    );
    expect(a.message).toBe('The API you are trying to access is not permitted with an analytics_token');
  });

  it('lets an analytics token call account APIs only from a registered static IP (403 UDAPI1154)', async () => {
    const { emu } = await startEmulator();
    const analytics = (await emu.generateToken({ kind: 'analytics' })).token;
    const e = await expectUpstoxError(
      await authGet(`${emu.url}/v2/user/profile`, analytics),
      403,
      'UDAPI1154',
    );
    expect(e.message).toContain('configured static IP (203.0.113.10) does not match origin IP (127.0.0.1)');
    emu.setStaticIps({ ips: ['203.0.113.10', '127.0.0.1'] });
    expect((await authGet(`${emu.url}/v2/user/profile`, analytics)).status).toBe(200);
    expect((await authGet(`${emu.url}/v2/portfolio/long-term-holdings`, analytics)).status).toBe(200);
  });

  it('every class an analytics token may call holds GET routes only', () => {
    const analyticsClasses = new Set(
      (Object.entries(TOKEN_ACCESS.live.analytics) as Array<[ApiClass, string]>)
        .filter(([, access]) => access !== 'deny' && access !== 'invalid')
        .map(([api]) => api),
    );
    const offenders = protectedRoutes.filter((r) => analyticsClasses.has(r.auth) && r.method !== 'GET');
    expect(offenders.map((r) => `${r.method} ${r.pattern}`)).toEqual([]);
    expect(analyticsClasses.size).toBeGreaterThan(0);
  });

  it('walks TOKEN_ACCESS on the live host: every protected route x every kind answers its verdict', async () => {
    expect(protectedRoutes.length).toBeGreaterThan(15);
    for (const kind of KINDS) {
      // Twelve order paths in one emulated second would spend the 10/s order bucket.
      const { emu } = await startEmulator({ rateLimits: false });
      emu.setStaticIps({ ips: ['127.0.0.1'] });
      for (const route of protectedRoutes) {
        const verdict = TOKEN_ACCESS.live[kind][route.auth];
        const res = await call(emu, route, await tokenOf(emu, kind));
        const where = `${kind} ${route.method} ${route.pattern} (${verdict})`;
        if (verdict === 'allow' || verdict === 'static-ip') expect(res.status, where).toBe(200);
        else if (verdict === 'deny') await expectUpstoxError(res, 403, 'UDAPI100067');
        else await expectUpstoxError(res, 401, 'UDAPI100050');
        await res.body?.cancel().catch(() => {});
      }
      // The static-ip cells refuse an unregistered origin.
      const other = await startEmulator({ rateLimits: false });
      for (const route of protectedRoutes) {
        if (TOKEN_ACCESS.live[kind][route.auth] !== 'static-ip') continue;
        await expectUpstoxError(
          await call(other.emu, route, await tokenOf(other.emu, kind)),
          403,
          'UDAPI1154',
        );
      }
    }
  });

  it('walks TOKEN_ACCESS on the sandbox host: only sandbox tokens, only sandbox order paths', async () => {
    const { emu } = await startEmulator({ sandbox: true, rateLimits: false });
    const served = new Set(SANDBOX_ROUTES);
    expect(SANDBOX_ROUTES.filter((r) => r.kind !== 'control').map((r) => `${r.method} ${r.pattern}`)).toEqual(
      [
        'POST /v2/order/place',
        'PUT /v2/order/modify',
        'DELETE /v2/order/cancel',
        'POST /v3/order/place',
        'PUT /v3/order/modify',
        'DELETE /v3/order/cancel',
        'POST /v2/order/multi/place',
      ],
    );
    for (const kind of KINDS) {
      for (const route of protectedRoutes) {
        const res = await call(emu, route, await tokenOf(emu, kind));
        if (!served.has(route)) {
          await expectUpstoxError(res, 404, 'UDAPI10000');
          continue;
        }
        const verdict = TOKEN_ACCESS.sandbox[kind][route.auth];
        if (verdict === 'allow') expect(res.status, `${kind} ${route.pattern}`).toBe(200);
        else await expectUpstoxError(res, 401, 'UDAPI100050');
      }
    }
    // No login on the sandbox host either.
    await expectUpstoxError(await get(emu.authorizeUrl()), 404, 'UDAPI10000');
  });
});
