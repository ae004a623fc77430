import { createUpstoxClient } from '@hft/auth-core';
import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { loadedManager } from '../loaded-manager.js';
import { blackhole, collectGarbage } from '../measure.js';
import { infoRow, measuredRow, type ResultRow } from '../result-row.js';
import { median } from '../stats.js';

/**
 * A client-side limit far above the offered load, so the limiter runs on every request but
 * never makes one wait. One window only: p-throttle's strict window keeps a timestamp per
 * request while busy, and once full spaces requests in whole milliseconds.
 */
const ABOVE_LOAD = { perSecond: 1_000_000, perMinute: null, perThirtyMinutes: null };
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
  blackhole(response.status);
}

/** CPU (user + system) per request, in µs, over `count` sequential requests through `send`. */
async function cpuPerRequest(send: () => Promise<void>, count: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await send();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

function bareAxios(token: string): AxiosInstance {
  return axios.create({
    baseURL: BASE_URL,
    timeout: 10_000,
    adapter: canned,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Api-Version': '2.0' },
  });
}

/**
 * Figure 3, API client cost: CPU time per request through `createUpstoxClient` (bearer from
 * the hot path, headers, interceptors, the limiter with limits far above the load) against a
 * bare axios instance sending the same headers, both answered by the same canned-response
 * adapter (no network: a loopback server's scheduling noise hid a 3% bar). Sequential requests,
 * CPU from `process.cpuUsage()`, alternating rounds in a rotated order, medians of the rounds'
 * per-request figures. Bar: the client costs at most 5% more. An A/A row (bare axios against a
 * second, identical bare axios) shows what this machine can resolve.
 */
export const apiClientFigure: Figure = {
  id: 'api-client',
  title: 'createUpstoxClient vs bare axios, CPU per request through a canned-response adapter',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const { manager, record } = await loadedManager();
    try {
      // The client sends through axios's default adapter (behind its limiter), taken when it is
      // created: the canned one is made the default for that moment only.
      const defaultAdapter = axios.defaults.adapter;
      axios.defaults.adapter = canned;
      let client: AxiosInstance;
      try {
        client = createUpstoxClient(manager, {
          baseUrl: BASE_URL,
          rateLimits: { standard: ABOVE_LOAD, order: ABOVE_LOAD },
        });
      } finally {
        axios.defaults.adapter = defaultAdapter;
      }
      const bare = bareAxios(record.tokens.daily!.token);
      const twin = bareAxios(record.tokens.daily!.token);
      const sides = {
        client: async () => check(await client.get(PATH)),
        bare: async () => check(await bare.get(PATH)),
        twin: async () => check(await twin.get(PATH)),
      };
      type Side = keyof typeof sides;
      const names = Object.keys(sides) as Side[];
      const perRound = ctx.quick ? 200 : 2000;
      const rounds = ctx.quick ? 3 : 40;
      for (const side of names) await cpuPerRequest(sides[side], perRound);
      const cpu: Record<Side, number[]> = { client: [], bare: [], twin: [] };
      for (let round = 0; round < rounds; round++) {
        const shift = round % names.length;
        for (const side of [...names.slice(shift), ...names.slice(0, shift)]) {
          collectGarbage();
          cpu[side].push(await cpuPerRequest(sides[side], perRound));
        }
      }
      const note = `median of ${rounds} rotated rounds of ${perRound} sequential requests each`;
      return [
        measuredRow({
          name: 'api-client: createUpstoxClient CPU per request / bare axios',
          median: median(cpu.client),
          baseline: median(cpu.bare),
          unit: 'µs',
          bar: { op: '<=', value: 1.05 },
          note,
        }),
        infoRow({
          name: 'api-client: A/A, bare axios / the same bare axios (resolution, no bar)',
          median: median(cpu.twin),
          baseline: median(cpu.bare),
          unit: 'µs',
          note,
        }),
      ];
    } finally {
      await manager.close();
    }
  },
};
