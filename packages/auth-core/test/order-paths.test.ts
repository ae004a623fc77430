import { createManualClock } from '@hft/time/testing';
import { ORDER_PATHS as EMULATOR_ORDER_PATHS, startUpstoxEmulator } from '@hft/upstox-emulator';
import { describe, expect, it } from 'vitest';
import {
  createMemoryTokenStore,
  createUpstoxClient,
  ORDER_PATHS,
  type OrderPathRow,
  processTokenResponse,
  type RateLimitBackend,
  TokenManager,
} from '../src/index.js';
import { carriesAlgoName, requestCategory, usesOrderHost } from '../src/wire.js';
import { onCleanup } from './helpers.js';

const START = Date.parse('2026-11-26T10:00:00+05:30');
const ORDER = { instrument_token: 'NSE_EQ|INE002A01018', quantity: 1, transaction_type: 'BUY' };

/** A request the emulator accepts for each row (its body checks are those of Upstox's docs). */
function requestFor(row: OrderPathRow): { url: string; data?: unknown } {
  switch (row.operation) {
    case 'place':
      return { url: row.path, data: ORDER };
    case 'modify':
      return { url: row.path, data: { order_id: '1' } };
    case 'cancel':
      return { url: `${row.path}?order_id=1` };
    case 'multi-place':
      return { url: row.path, data: [{ correlation_id: 'c1', ...ORDER }] };
    case 'multi-cancel':
    case 'exit-all':
      return { url: row.path };
    case 'gtt-place':
      return {
        url: row.path,
        data: { instrument_token: ORDER.instrument_token, rules: [{ strategy: 'ENTRY' }] },
      };
    case 'gtt-modify':
    case 'gtt-cancel':
      return { url: row.path, data: { gtt_order_id: 'GTT-C1' } };
  }
}

/** A real counter backend in memory (the shape a Redis store offers), remembering every key counted. */
function countingBackend(): RateLimitBackend & { keys: string[] } {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  return {
    name: 'counting',
    keys,
    async consume(key, limit) {
      keys.push(key);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n <= limit;
    },
  };
}

describe('the order-path table', () => {
  it('lists the same paths and methods as the emulator, GTT under /v3/order/gtt', () => {
    const ours = ORDER_PATHS.map((r) => `${r.method} ${r.path}`).sort();
    const emulator = EMULATOR_ORDER_PATHS.map((r) => `${r.method} ${r.path}`).sort();
    expect(ours).toEqual(emulator);
    expect(ours).toContain('POST /v3/order/gtt/place');
    for (const row of ORDER_PATHS) {
      expect(requestCategory(row.path)).toBe('order');
      expect(usesOrderHost(row.path)).toBe(row.orderHost);
      expect(carriesAlgoName(row.path)).toBe(true);
    }
    expect(requestCategory('/v2/order/retrieve-all')).toBe('standard');
    expect(carriesAlgoName('/v2/user/profile')).toBe(false);
  });

  it('drives host, X-Algo-Name and bucket of every row, against the emulator', async () => {
    const clock = createManualClock(START);
    // Bound to every interface so that one emulator answers both as the API host (127.0.0.1)
    // and as the order host (127.0.0.2): the Host header tells which one a request went to.
    const emu = await startUpstoxEmulator({
      clock,
      host: '0.0.0.0',
      rateLimits: { order: { perSecond: null, perMinute: null, perThirtyMinutes: ORDER_PATHS.length } },
    });
    onCleanup(() => emu.close());
    emu.upsertApp({ clientId: emu.defaultApp.clientId, algoNames: ['mean-reversion'] });
    emu.setStaticIps({ ips: ['127.0.0.1'] });
    const manager = new TokenManager({
      clientId: emu.defaultApp.clientId,
      redirectUri: emu.defaultApp.redirectUris[0]!,
      store: createMemoryTokenStore(),
      baseUrl: `http://127.0.0.1:${emu.port}`,
      clock,
    });
    onCleanup(() => manager.close());
    await manager.setToken(
      processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId, clock }),
    );
    const backend = countingBackend();
    const client = createUpstoxClient(manager, {
      baseUrl: `http://127.0.0.1:${emu.port}`,
      orderBaseUrl: `http://127.0.0.2:${emu.port}`,
      algoName: 'mean-reversion',
      sharedRateLimits: { backend, clock },
    });
    const user = emu.defaultUser.userId;

    for (const row of ORDER_PATHS) {
      const before = emu.requests.length;
      const { url, data } = requestFor(row);
      const res = await client.request({ method: row.method, url, data });
      expect(res.status, `${row.method} ${row.path}`).toBe(200);
      const seen = emu.requests.slice(before);
      expect(seen).toHaveLength(1);
      const entry = seen[0]!;
      expect(entry.route).toBe(`${row.method} ${row.path}`);
      expect(entry.headers.host, row.path).toBe(`${row.orderHost ? '127.0.0.2' : '127.0.0.1'}:${emu.port}`);
      expect(entry.headers['x-algo-name'], row.path).toBe('mean-reversion');
      // The order bucket of this user, in every window.
      expect(backend.keys.splice(0)).toEqual([
        expect.stringMatching(new RegExp(`^order:${user}:1s:`)),
        expect.stringMatching(new RegExp(`^order:${user}:1m:`)),
        expect.stringMatching(new RegExp(`^order:${user}:30m:`)),
      ]);
      // Next second: the client's per-second window (10) is not what this test is about.
      clock.advance(1000);
    }

    // A read goes to the API host, without the header, in the standard bucket.
    const before = emu.requests.length;
    await client.get('/v2/user/profile');
    const read = emu.requests[before]!;
    expect(read.headers.host).toBe(`127.0.0.1:${emu.port}`);
    expect(read.headers['x-algo-name']).toBeUndefined();
    expect(backend.keys.splice(0).every((k) => k.startsWith(`standard:${user}:`))).toBe(true);

    // The emulator counted every row in its one order bucket: its budget of one per row is spent.
    const over = await client.post('/v3/order/place', ORDER).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(over?.code).toBe('HFT_BROKER_RATE_LIMITED');
  });
});
