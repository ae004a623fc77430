import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenExpiry } from '@hft/time';
import { createManualClock } from '@hft/time/testing';
import { startUpstoxEmulator } from '@hft/upstox-emulator';
import { describe, expect, it } from 'vitest';
import {
  createMemoryBackend,
  createMemoryTokenStore,
  createNotifierHandler,
  type DeliveryOutcome,
  type NotifierHandlerOptions,
  TokenManager,
  type TokenStore,
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
  const store: TokenStore = {
    ...inner,
    name: inner.name,
    set: async (key, record) => {
      writes += 1;
      await inner.set(key, record);
    },
  };
  const outcomes: DeliveryOutcome[] = [];
  const logged: string[] = [];
  const logger = {
    error: (m: string, meta?: object) => logged.push(`${m} ${JSON.stringify(meta)}`),
    warn: (m: string, meta?: object) => logged.push(`${m} ${JSON.stringify(meta)}`),
    info: (m: string, meta?: object) => logged.push(`${m} ${JSON.stringify(meta)}`),
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
  });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
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
  return { emu, clock, inner, backend, url, payload, post, stored, outcomes, logged, writes: () => writes };
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
    [{ expires_at: String(tokenExpiry(START) + 1) }, 422, '03:30'],
    [
      { issued_at: String(START - 86_400_000 * 2), expires_at: String(tokenExpiry(START - 86_400_000 * 2)) },
      422,
      'expired',
    ],
    [{ access_token: '' }, 400, 'access_token'],
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
      accessToken: body.access_token,
      source: 'request',
      issuedAt: Number(body.issued_at),
      expiresAt: Number(body.expires_at),
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
    ['inconsistent times', { expires_at: String(Date.parse('2026-11-30T03:30:00+05:30')) }, 422],
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

  it('refuses a token Upstox rejects, and a user id that does not match the profile', async () => {
    const { post, payload, stored, emu } = await setup();
    const revoked = await payload();
    emu.revoke(revoked.access_token);
    const r1 = await post(revoked);
    expect(r1.status).toBe(422);
    expect((await json(r1)).reason).toContain('Upstox rejected');
    const mismatch = await payload({ user_id: 'SOMEONE9' });
    const r2 = await post(mismatch);
    expect(r2.status).toBe(422);
    expect((await json(r2)).reason).toContain('user_id does not match');
    expect(await stored()).toBe(0);
  });

  it('answers 502 and stores nothing when Upstox cannot be reached to confirm', async () => {
    const { post, payload, stored, emu } = await setup();
    const body = await payload();
    emu.setFault('GET /v2/user/profile', { status: 503 });
    const res = await post(body);
    expect(res.status).toBe(502);
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
