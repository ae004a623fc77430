import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { StorageError } from '@hft/errors';
import { tokenExpiry } from '@hft/time';
import { createManualClock } from '@hft/time/testing';
import { startUpstoxEmulator } from '@hft/upstox-emulator';
import { describe, expect, it } from 'vitest';
import {
  accountKey,
  createMemoryBackend,
  createMemoryTokenStore,
  createNotifierHandler,
  createUpstoxHttp,
  type DeliveryOutcome,
  fetchProfile,
  type NotifierHandlerOptions,
  TokenManager,
  type TokenRecord,
  type TokenStore,
  UNCONFIRMED_REASON,
  validateDelivery,
} from '../src/index.js';
import { onCleanup } from './helpers.js';

const START = Date.parse('2026-11-26T17:30:00+05:30');
const PATH = '/upstox/notify/s3cr3t-path-segment';

type Reply = { status: string; reason?: string; result?: string };
const json = async (res: Response): Promise<Reply> => (await res.json()) as Reply;

async function setup(extra: Partial<NotifierHandlerOptions> = {}) {
  const clock = createManualClock(START);
  const emu = await startUpstoxEmulator({ clock });
  onCleanup(() => emu.close());
  const backend = createMemoryBackend();
  const inner = createMemoryTokenStore({ backend });
  let writes = 0;
  const outage = { on: false };
  const down = () => new StorageError('the memory store is down (test)', { backend: inner.name });
  const store: TokenStore = {
    ...inner,
    name: inner.name,
    get: async (key) => {
      if (outage.on) throw down();
      return inner.get(key);
    },
    set: async (key, record) => {
      if (outage.on) throw down();
      writes += 1;
      await inner.set(key, record);
    },
  };
  const outcomes: DeliveryOutcome[] = [];
  const logged: string[] = [];
  const logger = {
    error: (m: string, meta?: object) => logged.push(`error: ${m} ${JSON.stringify(meta)}`),
    warn: (m: string, meta?: object) => logged.push(`warn: ${m} ${JSON.stringify(meta)}`),
    info: (m: string, meta?: object) => logged.push(`info: ${m} ${JSON.stringify(meta)}`),
    debug: () => {},
  };
  const handler = createNotifierHandler({
    clientId: emu.defaultApp.clientId,
    store,
    baseUrl: emu.url,
    clock,
    path: PATH,
    logger,
    onDelivery: (o) => outcomes.push(o),
    ...extra,
    retry: { auto: false, ...extra.retry },
  });
  onCleanup(() => handler.close());
  // The handler must never reject (a library user's server would get an unhandled rejection).
  const rejections: unknown[] = [];
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => rejections.push(error));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}${PATH}`;
  const payload = async (overrides: Record<string, unknown> = {}) => {
    const token = await emu.issueToken();
    const issued = clock.now();
    return {
      client_id: emu.defaultApp.clientId,
      user_id: token.user_id,
      access_token: token.access_token,
      token_type: 'Bearer',
      expires_at: String(tokenExpiry(issued)),
      issued_at: String(issued),
      message_type: 'access_token',
      ...overrides,
    };
  };
  const post = (body: unknown, init: RequestInit = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
  const stored = async () => (await inner.list()).length;
  const profileCalls = () => emu.requests.filter((r) => r.path === '/v2/user/profile').length;
  return {
    emu,
    clock,
    handler,
    port,
    inner,
    backend,
    url,
    payload,
    post,
    stored,
    outcomes,
    logged,
    profileCalls,
    rejections,
    outage,
    writes: () => writes,
  };
}

describe('validateDelivery (pure)', () => {
  const clock = createManualClock(START);
  const base = {
    client_id: 'me',
    user_id: 'U1',
    access_token: 'SECRET-TOKEN-VALUE',
    token_type: 'Bearer',
    issued_at: String(START),
    expires_at: String(tokenExpiry(START)),
    message_type: 'access_token',
  };
  it('accepts the documented payload', () => {
    expect(validateDelivery(base, { clientId: 'me', clock })).toEqual({
      clientId: 'me',
      userId: 'U1',
      accessToken: 'SECRET-TOKEN-VALUE',
      issuedAt: START,
      expiresAt: tokenExpiry(START),
    });
  });
  it.each([
    [{ message_type: 'order_update' }, 422, 'message_type'],
    [{ client_id: 'someone-else' }, 403, 'client_id'],
    [{ token_type: 'Basic' }, 422, 'token_type'],
    [{ issued_at: 'yesterday' }, 400, 'issued_at'],
    [
      { issued_at: String(START + 3_600_000), expires_at: String(tokenExpiry(START + 3_600_000)) },
      422,
      'future',
    ],
    [
      { issued_at: String(START - 86_400_000 * 2), expires_at: String(tokenExpiry(START - 86_400_000 * 2)) },
      422,
      'expired',
    ],
    [{ access_token: '' }, 400, 'access_token'],
    [{ expires_at: String(START - 1) }, 422, 'expired'],
  ])('refuses %j with %i', (override, status, reason) => {
    try {
      validateDelivery({ ...base, ...override }, { clientId: 'me', clock });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ name: 'DeliveryRejected', status });
      expect((error as Error).message).toContain(reason);
      expect((error as Error).message).not.toContain('SECRET-TOKEN-VALUE');
    }
  });

  it.each([
    ['1 s late', 1000],
    ['1 s early', -1000],
    ['a day late', 86_400_000],
  ])('accepts an expires_at %s with a warning and keeps the earlier expiry', (_label, drift) => {
    const valid = validateDelivery(
      { ...base, expires_at: String(tokenExpiry(START) + drift) },
      { clientId: 'me', clock },
    );
    expect(valid.expiresAt).toBe(Math.min(tokenExpiry(START), tokenExpiry(START) + drift));
    expect(valid.warning).toContain(`${Math.abs(drift)} ms ${drift < 0 ? 'before' : 'after'}`);
    expect(validateDelivery(base, { clientId: 'me', clock }).warning).toBeUndefined();
  });
});

describe('createNotifierHandler over real HTTP', () => {
  it('stores a confirmed token, answers JSON, and logs without the token', async () => {
    const { post, payload, inner, outcomes, logged, emu } = await setup();
    const body = await payload();
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await json(res)).toEqual({ status: 'success', result: 'stored' });
    const record = await inner.get(`upstox:${emu.defaultApp.clientId}:${body.user_id}`);
    expect(record).toMatchObject({
      tokens: {
        daily: {
          token: body.access_token,
          source: 'request',
          issuedAt: Number(body.issued_at),
          expiresAt: Number(body.expires_at),
        },
      },
      userName: emu.defaultUser.userName,
    });
    expect(outcomes).toEqual([
      expect.objectContaining({ status: 200, result: 'stored', userId: body.user_id }),
    ]);
    for (const line of logged) expect(line).not.toContain(body.access_token);
  });

  it.each([
    ['a wrong client id', { client_id: 'intruder' }, 403],
    ['a wrong message type', { message_type: 'order' }, 422],
    ['a wrong token type', { token_type: 'Basic' }, 422],
  ])('refuses %s without storing', async (_label, override, status) => {
    const { post, payload, stored, logged } = await setup();
    const body = await payload(override);
    const res = await post(body);
    expect(res.status).toBe(status);
    expect((await json(res)).status).toBe('error');
    expect(await stored()).toBe(0);
    for (const line of logged) expect(line).not.toContain(body.access_token);
  });

  it('refuses an expired delivery', async () => {
    const { post, payload, stored, clock } = await setup();
    const body = await payload();
    clock.set(Number(body.expires_at) + 1);
    const res = await post(body);
    expect(res.status).toBe(422);
    expect((await json(res)).reason).toContain('expired');
    expect(await stored()).toBe(0);
  });

  it('gives a revoked, a made-up, and a valid-but-forged token the same 422 and reason', async () => {
    const { post, payload, stored, emu } = await setup();
    const revoked = await payload();
    emu.revoke(revoked.access_token);
    emu.upsertUser({
      userId: 'OTHER9',
      userName: 'Other User',
      email: 'other@example.com',
      mobile: '9000000009',
      otp: '123456',
      pin: '654321',
    });
    const other = await emu.issueToken({ userId: 'OTHER9' });
    const forged = [
      revoked,
      await payload({ access_token: 'made-up-token-value-1234' }),
      // A real, valid token of another user, delivered as the default user's.
      await payload({ access_token: other.access_token }),
      await payload({ user_id: 'SOMEONE9' }),
    ];
    const answers: Array<[number, Reply]> = [];
    for (const body of forged) {
      const res = await post(body);
      answers.push([res.status, await json(res)]);
    }
    expect(answers).toEqual(Array(4).fill([422, { status: 'error', reason: UNCONFIRMED_REASON }]));
    expect(await stored()).toBe(0);
  });

  it('refuses malformed JSON, a 1 MiB body, a wrong content type, GET, and other paths', async () => {
    const { post, url, stored } = await setup();
    expect((await post('{"client_id": ')).status).toBe(400);
    const big = await post(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    expect((await post('{}', { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const other = await fetch(url.replace(PATH, '/upstox/notify'), {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(other.status).toBe(404);
    expect(await stored()).toBe(0);
  });

  it('enforces the IP allow-list', async () => {
    const { post, payload, stored } = await setup({ allowFrom: ['10.9.8.7'] });
    const res = await post(await payload());
    expect(res.status).toBe(403);
    expect(await stored()).toBe(0);
    const open = await setup({ allowFrom: ['127.0.0.1'] });
    expect((await open.post(await open.payload())).status).toBe(200);
  });

  it('treats a repeated delivery as success without a second write', async () => {
    const { post, payload, writes, emu } = await setup();
    const body = await payload();
    expect((await json(await post(body))).result).toBe('stored');
    expect(await json(await post(body))).toEqual({ status: 'success', result: 'duplicate' });
    expect(writes()).toBe(1);
    expect(emu.requests.filter((r) => r.path === '/v2/user/profile')).toHaveLength(1);
  });

  it('100 concurrent deliveries of one token: one confirmation, one write, all 200', async () => {
    const { post, payload, writes, emu } = await setup();
    const body = await payload();
    const responses = await Promise.all(Array.from({ length: 100 }, () => post(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(writes()).toBe(1);
    expect(emu.requests.filter((r) => r.path === '/v2/user/profile')).toHaveLength(1);
  });

  it('works end to end: v3 request, approval, webhook, and a TokenManager elsewhere sees the token', async () => {
    const { emu, url, backend, clock, outcomes } = await setup();
    emu.upsertApp({ clientId: emu.defaultApp.clientId, notifierUrl: url });
    const requester = new TokenManager({
      clientId: emu.defaultApp.clientId,
      clientSecret: emu.defaultApp.clientSecret,
      redirectUri: emu.defaultApp.redirectUris[0]!,
      store: createMemoryTokenStore({ backend }),
      baseUrl: emu.url,
      clock,
    });
    const watcher = new TokenManager({
      clientId: emu.defaultApp.clientId,
      redirectUri: emu.defaultApp.redirectUris[0]!,
      store: createMemoryTokenStore({ backend }),
      account: `upstox:${emu.defaultApp.clientId}:${emu.defaultUser.userId}`,
      baseUrl: emu.url,
      clock,
    });
    onCleanup(() => requester.close());
    onCleanup(() => watcher.close());
    await watcher.load();
    const rotated: string[] = [];
    watcher.onTokenRotated((t) => rotated.push(t));
    const request = await requester.requestToken();
    expect(request.notifierUrl).toBe(url);
    const delivery = await emu.approve();
    expect(delivery).toMatchObject({ statusCode: 200 });
    expect(outcomes.at(-1)).toMatchObject({ result: 'stored' });
    await expect.poll(() => rotated.length).toBe(1);
    expect(watcher.getAccessToken()).toBe(rotated[0]);
  });
});

/** Sends `bytes` as they are over a new TCP connection; resolves with everything answered. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
    // A request the server never answers shows up as an empty answer, not a hung test.
    socket.setTimeout(5000, () => socket.destroy());
  });
}
const statusLine = (answer: string) => answer.split('\r\n')[0];

/** A record for the emulator's default user, as if stored by an earlier login. */
function storedRecord(
  clientId: string,
  userId: string,
  overrides: Partial<TokenRecord> & { accessToken?: string; issuedAt?: number; extendedToken?: string },
): TokenRecord {
  const { accessToken, issuedAt, extendedToken, ...rest } = overrides;
  const issued = issuedAt ?? START;
  const record: TokenRecord = {
    accountKey: accountKey(clientId, userId),
    clientId,
    userId,
    exchanges: ['NSE'],
    products: ['D'],
    orderTypes: ['LIMIT'],
    tokens: {
      daily: {
        token: accessToken ?? 'token-stored-earlier-0001',
        issuedAt: issued,
        expiresAt: tokenExpiry(issued),
        source: 'oauth',
      },
    },
    ...rest,
  };
  if (extendedToken !== undefined) {
    record.tokens.extended = {
      token: extendedToken,
      issuedAt: issued,
      expiresAt: issued + 365 * 86_400_000,
      source: 'oauth',
    };
  }
  return record;
}

describe('no request stops the receiver (issue 16, item 1)', () => {
  it.each([
    ['GET //[', 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'HTTP/1.1 400'],
    [
      'POST //[',
      'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      'HTTP/1.1 400',
    ],
    [
      'a bad content-length',
      `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`,
      'HTTP/1.1 400',
    ],
    [
      'a huge header',
      `POST ${PATH} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
      'HTTP/1.1 431',
    ],
    [
      'a bad JSON body',
      `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{"a": [}}`,
      'HTTP/1.1 400',
    ],
  ])('answers %s with a 4xx and keeps serving', async (_label, bytes, expected) => {
    const { port, post, payload, outcomes, rejections } = await setup();
    expect(statusLine(await rawRequest(port, bytes))).toBe(
      `${expected} ${expected.endsWith('431') ? 'Request Header Fields Too Large' : 'Bad Request'}`,
    );
    const next = await post(await payload());
    expect(next.status).toBe(200);
    expect(outcomes.at(-1)).toMatchObject({ result: 'stored' });
    expect(rejections).toEqual([]);
  });

  it('answers and resolves even when onDelivery throws (a library user mounting it in Express)', async () => {
    const { post, payload, stored, rejections } = await setup({
      onDelivery: () => {
        throw new Error('a bug in the caller');
      },
    });
    expect((await post(await payload())).status).toBe(200);
    expect(await stored()).toBe(1);
    expect((await post('{"bad":')).status).toBe(400);
    expect(rejections).toEqual([]);
  });
});

describe('an older token never replaces a newer one (issue 16, item 4)', () => {
  it('answers a late delivery 200 stale, writes nothing, warns and reports it, with no profile call', async () => {
    const { post, payload, inner, emu, clock, outcomes, logged, writes, profileCalls } = await setup();
    const key = accountKey(emu.defaultApp.clientId, emu.defaultUser.userId);
    await inner.set(
      key,
      storedRecord(emu.defaultApp.clientId, emu.defaultUser.userId, { issuedAt: clock.now() }),
    );
    const issued = clock.now() - 60_000;
    const late = await payload({ issued_at: String(issued), expires_at: String(tokenExpiry(issued)) });
    const res = await post(late);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'success', result: 'stale' });
    expect((await inner.get(key))?.tokens.daily?.token).toBe('token-stored-earlier-0001');
    expect(writes()).toBe(0);
    expect(profileCalls()).toBe(0);
    expect(outcomes).toEqual([expect.objectContaining({ status: 200, result: 'stale', phase: 'answer' })]);
    expect(logged.some((l) => l.startsWith('warn: ') && l.includes('"result":"stale"'))).toBe(true);
  });

  it('decides under the lock: a newer token written while the delivery is being checked wins', async () => {
    const clientHttp = { current: undefined as ReturnType<typeof createUpstoxHttp> | undefined };
    let key = '';
    let inner: TokenStore | undefined;
    let clientId = '';
    let userId = '';
    let now = 0;
    const ctx = await setup({
      verify: async (token) => {
        // Another writer (a login) stores a token issued later than this delivery meanwhile.
        await inner?.set(
          key,
          storedRecord(clientId, userId, { accessToken: 'token-newer-login-0002', issuedAt: now + 1 }),
        );
        return fetchProfile(clientHttp.current as ReturnType<typeof createUpstoxHttp>, token);
      },
    });
    clientHttp.current = createUpstoxHttp({ baseUrl: ctx.emu.url });
    ({ inner } = ctx);
    clientId = ctx.emu.defaultApp.clientId;
    userId = ctx.emu.defaultUser.userId;
    key = accountKey(clientId, userId);
    now = ctx.clock.now();
    const res = await ctx.post(await ctx.payload());
    expect(await json(res)).toEqual({ status: 'success', result: 'stale' });
    expect((await ctx.inner.get(key))?.tokens.daily?.token).toBe('token-newer-login-0002');
    expect(ctx.outcomes.at(-1)).toMatchObject({ result: 'stale' });
  });

  it('keeps the stored extended token and account name when a newer delivery replaces the daily token', async () => {
    const { post, payload, inner, emu, clock } = await setup();
    const key = accountKey(emu.defaultApp.clientId, emu.defaultUser.userId);
    await inner.set(
      key,
      storedRecord(emu.defaultApp.clientId, emu.defaultUser.userId, {
        issuedAt: clock.now() - 3_600_000,
        extendedToken: 'extended-token-kept-0003',
        accountName: 'main',
      }),
    );
    const body = await payload();
    expect(await json(await post(body))).toEqual({ status: 'success', result: 'stored' });
    expect(await inner.get(key)).toMatchObject({
      tokens: {
        daily: { token: body.access_token, issuedAt: Number(body.issued_at) },
        extended: { token: 'extended-token-kept-0003' },
      },
      accountName: 'main',
    });
  });
});

describe('forged deliveries cannot flood Upstox (issue 16, item 6)', () => {
  it('200 forged deliveries make at most 5 profile calls; the rest are held (bounded) or 429, and a real one still lands', async () => {
    const maxHeld = 20;
    const { post, payload, profileCalls, handler, clock, inner, stored } = await setup({
      retry: { auto: false, maxHeld },
    });
    const forged = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => payload({ access_token: `forged-token-${i}-xxxxxxxx` })),
    );
    const before = profileCalls();
    const answers = await Promise.all(
      forged.map(async (body) => [(await post(body)).status, await 0] as const),
    );
    const statuses = answers.map(([status]) => status);
    const calls = profileCalls() - before;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 422)).toHaveLength(calls);
    expect(statuses.filter((s) => s === 202)).toHaveLength(maxHeld);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - calls - maxHeld);
    expect(handler.heldCount()).toBe(maxHeld);

    // Each second by the clock, the held ones are checked at 5 per second until all are settled.
    let rounds = 0;
    while (handler.heldCount() > 0 && rounds < 20) {
      clock.advance(1000);
      const checked = profileCalls();
      await handler.retryDue();
      expect(profileCalls() - checked).toBeLessThanOrEqual(5);
      rounds += 1;
    }
    expect(handler.heldCount()).toBe(0);
    expect(await stored()).toBe(0);

    clock.advance(1000);
    const real = await payload();
    expect((await post(real)).status).toBe(200);
    expect((await inner.list()).length).toBe(1);
  });

  it('holds a real delivery that arrives over the bound and stores it once the bound allows', async () => {
    const { post, payload, handler, clock, stored, outcomes } = await setup({ checks: { perSecond: 1 } });
    await post(await payload({ access_token: 'forged-token-uses-the-slot' }));
    const real = await payload();
    const res = await post(real);
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ status: 'success', result: 'held' });
    expect(await stored()).toBe(0);
    clock.advance(1000);
    expect((await handler.retryDue()).map((o) => o.result)).toEqual(['stored']);
    expect(await stored()).toBe(1);
    expect(outcomes.at(-1)).toMatchObject({ phase: 'retry', result: 'stored', userId: real.user_id });
  });
});

describe('no delivery is lost (issue 16, item 7)', () => {
  it.each([
    ['1 s late', 1000],
    ['1 s early', -1000],
  ])(
    'stores a delivery whose expires_at is %s, with the earlier expiry and a warning',
    async (_label, drift) => {
      const { post, payload, inner, clock, emu, outcomes, logged } = await setup();
      const rule = tokenExpiry(clock.now());
      const body = await payload({ expires_at: String(rule + drift) });
      const res = await post(body);
      expect(res.status).toBe(200);
      const reply = (await res.json()) as Reply & { warning?: string };
      expect(reply).toMatchObject({ status: 'success', result: 'stored' });
      expect(reply.warning).toContain('03:30');
      const record = await inner.get(accountKey(emu.defaultApp.clientId, body.user_id));
      expect(record?.tokens.daily?.expiresAt).toBe(Math.min(rule, rule + drift));
      expect(outcomes.at(-1)?.warning).toContain('03:30');
      expect(logged.some((l) => l.startsWith('warn: ') && l.includes('03:30'))).toBe(true);
    },
  );

  it.each([
    ['answers 503', { status: 503 }],
    ['resets the connection', { reset: true }],
  ])(
    'holds a delivery while the profile check %s, retries with backoff, and stores it once it succeeds',
    async (_label, fault) => {
      const { post, payload, handler, clock, emu, stored, outcomes, profileCalls } = await setup();
      const body = await payload();
      emu.setFault('GET /v2/user/profile', fault);
      const res = await post(body);
      expect(res.status).toBe(202);
      expect(await json(res)).toEqual({ status: 'success', result: 'held' });
      expect(handler.heldCount()).toBe(1);
      expect(await stored()).toBe(0);
      // The same token delivered again is not checked again: it is held.
      expect((await post(body)).status).toBe(202);
      expect(profileCalls()).toBe(1);

      expect(await handler.retryDue()).toEqual([]);
      clock.advance(1000);
      expect((await handler.retryDue()).map((o) => o.result)).toEqual(['held']);
      expect(profileCalls()).toBe(2);
      emu.clearFaults();
      clock.advance(1000);
      expect(await handler.retryDue()).toEqual([]); // backoff: the next check is 2 s after the last
      clock.advance(1000);
      expect((await handler.retryDue()).map((o) => o.result)).toEqual(['stored']);
      expect(await stored()).toBe(1);
      expect(handler.heldCount()).toBe(0);
      expect(outcomes.map((o) => `${o.phase} ${o.status} ${o.result}`)).toEqual([
        'answer 202 held',
        'answer 202 held',
        'retry 202 held',
        'retry 202 stored',
      ]);
    },
  );

  it('drops a held delivery that Upstox then refuses, and one that expires unconfirmed', async () => {
    const { post, payload, handler, clock, emu, stored, outcomes } = await setup();
    emu.setFault('GET /v2/user/profile', { status: 503 });
    const refused = await payload();
    expect((await post(refused)).status).toBe(202);
    emu.revoke(refused.access_token);
    emu.clearFaults();
    clock.advance(1000);
    expect(await handler.retryDue()).toEqual([
      expect.objectContaining({ phase: 'retry', result: 'rejected', reason: UNCONFIRMED_REASON }),
    ]);

    emu.setFault('GET /v2/user/profile', { status: 503 });
    const late = await payload();
    expect((await post(late)).status).toBe(202);
    clock.set(Number(late.expires_at));
    expect((await handler.retryDue()).map((o) => o.result)).toEqual(['expired']);
    expect(handler.heldCount()).toBe(0);
    expect(await stored()).toBe(0);
    expect(outcomes.filter((o) => o.phase === 'retry').map((o) => o.result)).toEqual(['rejected', 'expired']);
  });

  it('holds a delivery while the store is down and stores it when the store is back', async () => {
    const { post, payload, handler, clock, outage, stored } = await setup();
    outage.on = true;
    const res = await post(await payload());
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ status: 'success', result: 'held' });
    outage.on = false;
    clock.advance(1000);
    expect((await handler.retryDue()).map((o) => o.result)).toEqual(['stored']);
    expect(await stored()).toBe(1);
  });

  it('runs the retries on its own timer by default', async () => {
    const manual = createManualClock(START);
    const started = Date.now();
    // The receiver's clock runs (from START); the emulator's stays at START, so its tokens stay valid.
    const running = { now: () => manual.now() + (Date.now() - started) };
    const { post, payload, emu, stored, outcomes } = await setup({
      clock: running,
      retry: { auto: true, initialDelayMs: 20 },
    });
    emu.setFault('GET /v2/user/profile', { status: 503, times: 1 });
    expect((await post(await payload())).status).toBe(202);
    await expect.poll(stored, { timeout: 5000 }).toBe(1);
    expect(outcomes.at(-1)).toMatchObject({ phase: 'retry', result: 'stored' });
  });
});
