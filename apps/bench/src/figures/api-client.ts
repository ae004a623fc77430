import { createUpstoxClient } from '@hft/auth-core';
import axios, { type AxiosResponse } from 'axios';
import { startWorker } from '../child.js';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { loadedManager } from '../loaded-manager.js';
import { collectGarbage } from '../measure.js';
import { measuredRow, type ResultRow } from '../result-row.js';
import { median } from '../stats.js';
import { throughput } from '../throughput.js';

const CONCURRENCY = 8;
/**
 * A client-side limit far above what 8 callers offer here (a few thousand requests/s), so the
 * limiter runs on every request but never makes one wait. One window only, and a limit no run
 * reaches: p-throttle's strict window keeps a timestamp per request while it is busy, and once
 * full it spaces requests in whole milliseconds (at most 1,000/s), which would measure p-throttle
 * rather than the client.
 */
const ABOVE_LOAD = { perSecond: 1_000_000, perMinute: null, perThirtyMinutes: null };
const PATH = '/v2/user/profile';

function check(response: AxiosResponse): void {
  const body = response.data as { status?: string } | undefined;
  if (response.status !== 200 || body?.status !== 'success') {
    throw new Error(`api-client: unexpected answer ${response.status}`);
  }
}

/**
 * Figure 3, API client overhead: requests per second through `createUpstoxClient` (bearer from
 * the hot path, headers, interceptors, and the client-side limiter with limits far above the
 * offered load, so it runs but never waits) against a bare axios instance sending the same headers, both to one loopback
 * HTTP server running in a child process, with the same concurrency, in alternating rounds.
 * Bar: the client keeps at least 97% of bare axios' throughput.
 */
export const apiClientFigure: Figure = {
  id: 'api-client',
  title: 'createUpstoxClient vs bare axios, requests/s against a loopback server',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const server = startWorker('http-server', {});
    try {
      const { port } = (await server.next('ready')) as {
        type: string;
        port: number;
      };
      const baseUrl = `http://127.0.0.1:${port}`;
      const { manager, record } = await loadedManager();
      // The limiter stays on, far above what 8 callers can offer: its cost is part of the
      // figure, its waiting is not.
      const client = createUpstoxClient(manager, {
        baseUrl,
        rateLimits: { standard: ABOVE_LOAD, order: ABOVE_LOAD },
      });
      const bare = axios.create({
        baseURL: baseUrl,
        timeout: 10_000,
        headers: {
          Authorization: `Bearer ${record.tokens.daily!.token}`,
          Accept: 'application/json',
          'Api-Version': '2.0',
        },
      });
      const sides = {
        client: async () => check(await client.get(PATH)),
        axios: async () => check(await bare.get(PATH)),
      };
      const rounds = ctx.quick ? 1 : 48;
      const durationMs = ctx.quick ? 150 : 200;
      const warmMs = ctx.quick ? 50 : 400;
      await throughput(sides.client, CONCURRENCY, warmMs);
      await throughput(sides.axios, CONCURRENCY, warmMs);
      const rps: Record<keyof typeof sides, number[]> = {
        client: [],
        axios: [],
      };
      for (let round = 0; round < rounds; round++) {
        const order: Array<keyof typeof sides> = round % 2 === 0 ? ['client', 'axios'] : ['axios', 'client'];
        for (const side of order) {
          collectGarbage();
          rps[side].push(await throughput(sides[side], CONCURRENCY, durationMs));
        }
      }
      await manager.close();
      return [
        measuredRow({
          name: 'api-client: createUpstoxClient req/s / bare axios req/s',
          median: median(rps.client),
          baseline: median(rps.axios),
          unit: 'req/s',
          bar: { op: '>=', value: 0.97 },
          note: `median of ${rounds} alternating rounds of ${durationMs} ms, concurrency ${CONCURRENCY}`,
        }),
      ];
    } finally {
      await server.kill();
    }
  },
};
