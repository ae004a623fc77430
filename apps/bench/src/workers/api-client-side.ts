// One side of figure 3 (api-client), alone in its process: `createUpstoxClient` over a loaded
// TokenManager, or a bare axios instance sending the same headers. Both are answered by the same
// canned-response adapter. On each `round` message it sends `count` sequential requests and
// reports the process's CPU time (user + system) per request.
import { createUpstoxClient } from '@hft/auth-core';
import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import { runWorker, tellParent, workerArgs } from '../child.js';
import { loadedManager } from '../loaded-manager.js';

interface Args {
  side: 'client' | 'bare';
}

/**
 * Client-side limits far above the offered load, on all three windows (as Upstox's published
 * limits have), so the limiter does its full work on every request but never makes one wait.
 */
const ABOVE_LOAD = { perSecond: 1_000_000, perMinute: 60_000_000, perThirtyMinutes: 1_000_000_000 };
const PATH = '/v2/user/profile';
const BASE_URL = 'http://127.0.0.1:9';
const BODY = JSON.stringify({
  status: 'success',
  data: { user_id: 'BENCH0', user_name: 'Bench User', broker: 'UPSTOX', is_active: true },
});

/**
 * The answer of a server, without a server: a fresh 200 response with the JSON text, as axios's
 * http adapter hands it on (axios then parses it, for both sides alike). No network, no event
 * loop turns beyond the promise: what is left is the client's own work per request.
 */
const canned: AxiosAdapter = async (config) => ({
  data: BODY,
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'application/json', 'content-length': String(BODY.length) },
  config,
  request: {},
});

function check(response: AxiosResponse): void {
  const body = response.data as { status?: string } | undefined;
  if (response.status !== 200 || body?.status !== 'success') {
    throw new Error(`api-client: unexpected answer ${response.status}`);
  }
}

runWorker(async () => {
  const { side } = workerArgs<Args>();
  const { manager, record } = await loadedManager();
  let http: AxiosInstance;
  if (side === 'client') {
    // The client sends through axios's default adapter (behind its limiter), taken when it is
    // created: the canned one is made the default for that moment only.
    const defaultAdapter = axios.defaults.adapter;
    axios.defaults.adapter = canned;
    try {
      http = createUpstoxClient(manager, {
        baseUrl: BASE_URL,
        rateLimits: { standard: ABOVE_LOAD, order: ABOVE_LOAD },
      });
    } finally {
      axios.defaults.adapter = defaultAdapter;
    }
  } else {
    http = axios.create({
      baseURL: BASE_URL,
      timeout: 10_000,
      adapter: canned,
      headers: {
        Authorization: `Bearer ${record.tokens.daily!.token}`,
        Accept: 'application/json',
        'Api-Version': '2.0',
      },
    });
  }
  process.on('message', (message: { type?: string; count?: number }) => {
    if (message?.type === 'stop') {
      void manager.close().then(() => process.exit(0));
      return;
    }
    if (message?.type !== 'round' || typeof message.count !== 'number') return;
    const count = message.count;
    void (async () => {
      const start = process.cpuUsage();
      for (let i = 0; i < count; i++) check(await http.get(PATH));
      const used = process.cpuUsage(start);
      tellParent({ type: 'round', cpuUs: (used.user + used.system) / count });
    })().catch((error: unknown) => {
      tellParent({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    });
  });
  process.on('disconnect', () => process.exit(0));
  tellParent({ type: 'ready' });
});
