import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpstoxAuthenticator } from '@hft/auth-core';
import { createFileTokenStore, DEFAULT_TOKEN_FILE } from '@hft/storage-file';
import { type BenchContext, scratchDir } from '../context.js';
import type { Figure } from '../figure.js';
import { loadedManager } from '../loaded-manager.js';
import { alternate, blackhole } from '../measure.js';
import { BENCH_CLIENT_ID, BENCH_REDIRECT_URI } from '../records.js';
import { infoRow, measuredRow, type ResultRow } from '../result-row.js';

/** Calls per timed sample for the nanosecond-scale contenders (keeps timer overhead out). */
const INNER = 1000;
/** Calls per timed sample of the file re-read baseline (microseconds each). */
const INNER_FILE = 10;

/**
 * Figure 1, the hot path: `TokenManager.getAccessToken()` and `UpstoxAuthenticator.getToken()`
 * with a valid token loaded, against `Map.prototype.get` on a one-entry map (the least any
 * in-memory lookup can cost; bar: at most 2x), and against re-reading and parsing the token file
 * on every call (`readFileSync` + `JSON.parse` of a file the file store wrote; bar: at most
 * 1/1000 of it). Two rows without a bar explain the result: the same manager with a constant
 * clock, and `Date.now()` alone (the hot path reads the clock on every call). Every contender
 * adds the token's length to an accumulator that escapes, so no call can be dropped as dead code.
 */
export const hotPathFigure: Figure = {
  id: 'hot-path',
  title: 'synchronous token read vs Map.get and vs re-reading the token file',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const { manager, record, store } = await loadedManager();
    const key = record.accountKey;
    const auth = new UpstoxAuthenticator({
      credentials: {
        clientId: BENCH_CLIENT_ID,
        redirectUri: BENCH_REDIRECT_URI,
      },
      store,
      account: key,
    });
    await auth.load();
    // The same manager with a clock that costs nothing: shows how much of the hot path is the clock read.
    const frozenNow = Date.now();
    const { manager: frozen } = await loadedManager({ record, store, clock: { now: () => frozenNow } });
    if (
      manager.getAccessToken() !== record.tokens.daily!.token ||
      auth.getToken() !== record.tokens.daily!.token ||
      frozen.getAccessToken() !== record.tokens.daily!.token
    ) {
      throw new Error('hot-path: the managers do not return the stored token');
    }

    const dir = scratchDir(ctx, 'hot-path');
    const fileStore = createFileTokenStore({ dir });
    await fileStore.set(key, record);
    await fileStore.close();
    const tokenFile = join(dir, DEFAULT_TOKEN_FILE);
    const onDisk = JSON.parse(readFileSync(tokenFile, 'utf8')) as {
      access_token?: string;
    };
    if (onDisk.access_token !== record.tokens.daily!.token)
      throw new Error(`hot-path: ${tokenFile} lacks the token`);

    const map = new Map([[key, record.tokens.daily!.token]]);
    const timings = await alternate(
      [
        {
          name: 'manager',
          async: false,
          opsPerCall: INNER,
          fn: () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += manager.getAccessToken().length;
            blackhole(acc);
          },
        },
        {
          name: 'authenticator',
          async: false,
          opsPerCall: INNER,
          fn: () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += auth.getToken()!.length;
            blackhole(acc);
          },
        },
        {
          name: 'map',
          async: false,
          opsPerCall: INNER,
          fn: () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += map.get(key)!.length;
            blackhole(acc);
          },
        },
        {
          name: 'frozen',
          async: false,
          opsPerCall: INNER,
          fn: () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += frozen.getAccessToken().length;
            blackhole(acc);
          },
        },
        {
          name: 'clock',
          async: false,
          opsPerCall: INNER,
          fn: () => {
            let acc = 0;
            for (let i = 0; i < INNER; i++) acc += Date.now() & 1;
            blackhole(acc);
          },
        },
        {
          name: 'file',
          async: false,
          opsPerCall: INNER_FILE,
          fn: () => {
            let acc = 0;
            for (let i = 0; i < INNER_FILE; i++) {
              const parsed = JSON.parse(readFileSync(tokenFile, 'utf8')) as {
                access_token: string;
              };
              acc += parsed.access_token.length;
            }
            blackhole(acc);
          },
        },
      ],
      ctx.quick ? { rounds: 2, timeMs: 20, warmupMs: 10 } : { rounds: 6, timeMs: 250, warmupMs: 100 },
    );
    await manager.close();
    await auth.close();
    await frozen.close();

    const ns = (name: string) => timings.get(name)!.medianMs * 1e6;
    const samples = (name: string) => timings.get(name)!.samples;
    return [
      measuredRow({
        name: 'hot-path: TokenManager.getAccessToken() / Map.get',
        median: ns('manager'),
        baseline: ns('map'),
        unit: 'ns',
        bar: { op: '<=', value: 2 },
        note: `${samples('manager')} samples of ${INNER} calls`,
      }),
      measuredRow({
        name: 'hot-path: UpstoxAuthenticator.getToken() / Map.get',
        median: ns('authenticator'),
        baseline: ns('map'),
        unit: 'ns',
        bar: { op: '<=', value: 2 },
        note: `${samples('authenticator')} samples of ${INNER} calls`,
      }),
      infoRow({
        name: 'hot-path: getAccessToken() with a constant clock / Map.get (no bar)',
        median: ns('frozen'),
        baseline: ns('map'),
        unit: 'ns',
        note: 'the same manager with clock: { now: () => constant }',
      }),
      infoRow({
        name: 'hot-path: Date.now() alone / Map.get (no bar)',
        median: ns('clock'),
        baseline: ns('map'),
        unit: 'ns',
        note: 'what one wall-clock read costs here; getAccessToken() reads the clock once, getToken() twice',
      }),
      measuredRow({
        name: 'hot-path: getAccessToken() / readFileSync+JSON.parse',
        median: ns('manager'),
        baseline: ns('file'),
        unit: 'ns',
        bar: { op: '<=', value: 0.001 },
        note: `baseline: ${samples('file')} samples of ${INNER_FILE} reads of the file store's token file`,
      }),
    ];
  },
};
