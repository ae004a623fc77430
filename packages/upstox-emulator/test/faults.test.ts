import { request } from 'node:http';
import { InputError } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import { startUpstoxEmulator } from '../src/index.js';
import { authGet, exchange, expectUpstoxError, get, loginForCode, startEmulator } from './helpers.js';

describe('fault injection', () => {
  it('latencyMs delays the answer, which is otherwise normal', async () => {
    const { emu } = await startEmulator();
    const token = (await emu.issueToken()).access_token;
    emu.setFault('GET /v2/user/profile', { latencyMs: 150 });
    const started = performance.now();
    const res = await authGet(`${emu.url}/v2/user/profile`, token);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });

  it('status answers the UDAPI100500 envelope with that 5xx status', async () => {
    const { emu } = await startEmulator();
    emu.setFault('POST /v2/login/authorization/token', { status: 503 });
    const code = await loginForCode(emu);
    const e = await expectUpstoxError(await exchange(emu, { code }), 503, 'UDAPI100500');
    expect(e.message).toBe('Something went wrong... please contact us');
  });

  it('a faulted request never reaches the route: the code stays usable', async () => {
    const { emu } = await startEmulator();
    emu.setFault('POST /v2/login/authorization/token', { status: 502, times: 1 });
    const code = await loginForCode(emu);
    expect((await exchange(emu, { code })).status).toBe(502);
    expect((await exchange(emu, { code })).status).toBe(200);
  });

  it('html answers a non-JSON block page (403 by default)', async () => {
    const { emu } = await startEmulator();
    emu.setFault('GET /v2/login/authorization/dialog', { html: true });
    const res = await get(emu.authorizeUrl());
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('Sorry, you have been blocked');
    expect(() => JSON.parse(text)).toThrow();
    emu.setFault('GET /v2/login/authorization/dialog', { html: '<p>gateway</p>', status: 502 });
    const custom = await get(emu.authorizeUrl());
    expect(custom.status).toBe(502);
    expect(await custom.text()).toBe('<p>gateway</p>');
  });

  it('reset destroys the connection; the client sees an error', async () => {
    const { emu } = await startEmulator();
    emu.setFault('*', { reset: true, times: 1 });
    const error = await get(emu.authorizeUrl()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as { cause?: { code?: string } }).cause;
    expect(cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect((await get(emu.authorizeUrl())).status).toBe(200);
    expect(emu.requests.at(-2)?.status).toBeUndefined();
  });

  it('hang never answers (client timeout) and close() still returns promptly', async () => {
    const emu = await startUpstoxEmulator();
    try {
      emu.setFault('GET /v2/user/profile', { hang: true });
      const error = await fetch(`${emu.url}/v2/user/profile`, { signal: AbortSignal.timeout(300) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).name).toBe('TimeoutError');

      // A second hanging request left open by its client must not hold close() up.
      const closedByServer = new Promise<string>((resolve) => {
        const req = request(`${emu.url}/v2/user/profile`, () => resolve('answered'));
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        req.end();
      });
      while (emu.requests.length < 2) await new Promise((r) => setImmediate(r));
      const started = performance.now();
      await emu.close();
      expect(performance.now() - started).toBeLessThan(1000);
      expect(await closedByServer).toBe('ECONNRESET');
    } finally {
      await emu.close();
    }
  });

  it('times applies a fault N times then removes it', async () => {
    const { emu } = await startEmulator();
    emu.setFault('GET /v2/login/authorization/dialog', { status: 500, times: 2 });
    expect((await get(emu.authorizeUrl())).status).toBe(500);
    expect((await get(emu.authorizeUrl())).status).toBe(500);
    expect((await get(emu.authorizeUrl())).status).toBe(200);
  });

  it("matches the route pattern, a concrete path, then '*'; never control routes", async () => {
    const { emu } = await startEmulator();
    emu.setFault('*', { status: 500 });
    emu.setFault('POST /v3/login/auth/token/request/:client_id', { status: 503 });
    emu.setFault('POST /v3/login/auth/token/request/other-app', { status: 504 });
    const post = (id: string) => fetch(`${emu.url}/v3/login/auth/token/request/${id}`, { method: 'POST' });
    expect((await post('emulator-client')).status).toBe(503);
    emu.clearFaults();
    emu.setFault('*', { status: 500 });
    emu.setFault('POST /v3/login/auth/token/request/other-app', { status: 504 });
    expect((await post('other-app')).status).toBe(504);
    expect((await get(`${emu.url}/v2/unknown`)).status).toBe(500);
    expect((await get(`${emu.url}/_emulator/requests`)).status).toBe(200);
    emu.clearFaults();
    expect((await get(emu.authorizeUrl())).status).toBe(200);
  });

  it('validates faults and route keys', async () => {
    const { emu } = await startEmulator();
    expect(() => emu.setFault('GET /x', { status: 404 })).toThrow(InputError);
    expect(() => emu.setFault('GET /x', {})).toThrow(/at least one/);
    expect(() => emu.setFault('GET /x', { reset: true, hang: true })).toThrow(/only one/);
    expect(() => emu.setFault('profile', { status: 500 })).toThrow(InputError);
    expect(() => emu.setFault('GET /x', { times: 0, status: 500 })).toThrow(/times/);
    await expect(startUpstoxEmulator({ faults: { '*': { latencyMs: -1 } } })).rejects.toThrow(/latencyMs/);
  });

  it('accepts faults at start', async () => {
    const { emu } = await startEmulator({
      faults: { 'GET /v2/login/authorization/dialog': { status: 500, times: 1 } },
    });
    expect((await get(emu.authorizeUrl())).status).toBe(500);
    expect((await get(emu.authorizeUrl())).status).toBe(200);
  });
});
