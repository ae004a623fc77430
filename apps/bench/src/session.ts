import { rmSync } from 'node:fs';
import { type RedisServer, startRedis } from '@hft/test-kit';
import { type BenchContext, makeRunDir } from './context.js';
import { errorMessage } from './error-message.js';
import type { Figure } from './figure.js';
import { failedRow, type ResultRow } from './result-row.js';

/** A {@link BenchContext} with the resources behind it (scratch dir, redis-server). */
export interface BenchSession {
  readonly ctx: BenchContext;
  /** Stops the redis-server and removes the scratch directory. */
  close(): Promise<void>;
}

/**
 * Creates a scratch directory and, when `redis` is true, starts a throw-away redis-server. A
 * redis-server that cannot start is not an error: figures then skip their redis rows, citing
 * `redisUnavailable`.
 */
export async function openSession(options: {
  quick: boolean;
  redis: boolean;
  log?: (message: string) => void;
}): Promise<BenchSession> {
  const tmpDir = makeRunDir();
  let server: RedisServer | undefined;
  let redisUnavailable: string | undefined;
  if (options.redis) {
    try {
      server = await startRedis();
    } catch (error) {
      redisUnavailable = errorMessage(error);
    }
  } else {
    redisUnavailable = 'not started for this selection';
  }
  const ctx: BenchContext = {
    quick: options.quick,
    tmpDir,
    redisUrl: server?.url(),
    redisUnavailable,
    log: options.log ?? (() => {}),
  };
  return {
    ctx,
    async close() {
      await server?.shutdown();
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `figure`; if it throws, returns one `FAIL` row `<id>: error` carrying the message, so a
 * broken figure is reported instead of ending the run.
 */
export async function runFigure(figure: Figure, ctx: BenchContext): Promise<ResultRow[]> {
  try {
    return await figure.run(ctx);
  } catch (error) {
    return [failedRow(`${figure.id}: error`, '-', null, errorMessage(error))];
  }
}
