import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { processTokenResponse, TokenManager } from '@hft/auth-core';
import { createRedisTokenStore } from '@hft/storage-redis';
import { forkStoreChild, killStoreChildren } from '@hft/test-kit';
import { startUpstoxEmulator } from '@hft/upstox-emulator';
import type { BenchContext } from '../context.js';
import { errorMessage } from '../error-message.js';
import type { Figure } from '../figure.js';
import { benchRoot } from '../package-paths.js';
import { type Bar, failedRow, infoRow, measuredRow, type ResultRow, skipRow } from '../result-row.js';

const LIMIT = 10;
const PROCESSES = 2;
const CONCURRENCY = 4;
const AT_MOST: Bar = { op: '<=', value: 1 };
const AT_LEAST: Bar = { op: '>=', value: 0.9 };
const PEAK = `shared-limiter: most orders accepted in one second by ${PROCESSES} processes sharing one redis limiter / the limit`;
const RATE = `shared-limiter: orders accepted per second by ${PROCESSES} processes sharing one redis limiter / the limit`;
const REFUSED = 'shared-limiter: orders the emulator refused with 429';

/**
 * The built root entry of a workspace dependency, as plain Node loads it: its manifest's
 * `exports['.'].default` (a resolver here would follow the test run's source condition).
 */
function builtEntry(name: string): string {
  const dir = realpathSync(join(benchRoot(), 'node_modules', name));
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: { '.': { default: string } };
  };
  return join(dir, manifest.exports['.'].default);
}

/**
 * Figure 9, rate limits shared across processes: two real client processes (`createUpstoxClient`
 * over one Redis store, the store's shared counters) place orders at the emulator as fast as they
 * can; the emulator's log gives the orders it accepted in each of its 1 s windows. Bars: the
 * busiest second is at most the limit (10/s, Upstox's order bucket), and the full seconds use at
 * least 90% of it.
 */
export const sharedLimiterFigure: Figure = {
  id: 'shared-limiter',
  title: 'orders/s accepted from 2 processes sharing one Redis limiter, against the 10/s limit',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    if (!ctx.redisUrl) {
      const reason = `no redis-server: ${ctx.redisUnavailable ?? 'not started'}`;
      return [skipRow(PEAK, 'orders/s', AT_MOST, reason), skipRow(RATE, 'orders/s', AT_LEAST, reason)];
    }
    const emu = await startUpstoxEmulator();
    const storeOptions = { url: ctx.redisUrl, prefix: `bench:limiter:${process.pid}:${Date.now()}:` };
    const store = createRedisTokenStore(storeOptions);
    try {
      emu.setStaticIps({ ips: ['127.0.0.1'] });
      const manager = new TokenManager({
        clientId: emu.defaultApp.clientId,
        redirectUri: emu.defaultApp.redirectUris[0]!,
        store,
        baseUrl: emu.url,
        watch: false,
      });
      await manager.setToken(
        processTokenResponse(await emu.issueToken(), { clientId: emu.defaultApp.clientId }),
      );
      await manager.close();
      const durationMs = ctx.quick ? 2200 : 6200;
      const spec = {
        module: builtEntry('@hft/storage-redis'),
        factory: 'createRedisTokenStore',
        options: storeOptions,
      };
      const args = {
        authCore: builtEntry('@hft/auth-core'),
        baseUrl: emu.url,
        clientId: emu.defaultApp.clientId,
        redirectUri: emu.defaultApp.redirectUris[0]!,
        durationMs,
        concurrency: CONCURRENCY,
      };
      const children = Array.from({ length: PROCESSES }, () => forkStoreChild('order-burst', spec, args));
      for (const child of children) await child.next('ready');
      for (const child of children) child.send({ type: 'go' });
      await Promise.all(children.map((c) => c.next('done', durationMs + 30_000)));

      const orders = emu.requests.filter((r) => r.path === '/v2/order/place');
      const accepted = orders.filter((r) => r.status === 200);
      const refused = orders.filter((r) => r.status === 429).length;
      if (accepted.length === 0) throw new Error('the emulator accepted no order');
      const windows = new Map<number, number>();
      for (const r of accepted) {
        const second = Math.floor(r.time / 1000);
        windows.set(second, (windows.get(second) ?? 0) + 1);
      }
      const seconds = [...windows.keys()].sort((a, b) => a - b);
      // The first and last seconds are cut by the start and the end of the run.
      const full = seconds.slice(1, -1).map((s) => windows.get(s)!);
      const peak = Math.max(...windows.values());
      const rate = full.length > 0 ? full.reduce((a, b) => a + b, 0) / full.length : Number.NaN;
      const note = `${accepted.length} orders over ${seconds.length} emulator seconds; ${PROCESSES} processes x ${CONCURRENCY} loops`;
      return [
        measuredRow({ name: PEAK, median: peak, baseline: LIMIT, unit: 'orders/s', bar: AT_MOST, note }),
        full.length > 0
          ? measuredRow({
              name: RATE,
              median: rate,
              baseline: LIMIT,
              unit: 'orders/s',
              bar: AT_LEAST,
              note: `mean of ${full.length} full seconds`,
            })
          : failedRow(RATE, 'orders/s', AT_LEAST, 'the run held no full emulator second'),
        infoRow({ name: REFUSED, median: refused, unit: 'responses' }),
      ];
    } catch (error) {
      const reason = errorMessage(error);
      return [failedRow(PEAK, 'orders/s', AT_MOST, reason), failedRow(RATE, 'orders/s', AT_LEAST, reason)];
    } finally {
      await killStoreChildren();
      await store.close();
      await emu.close();
    }
  },
};
