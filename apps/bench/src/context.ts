import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What every figure gets from the runner. */
export interface BenchContext {
  /** Short runs and small counts (tests, smoke checks): shapes are right, numbers are rough. */
  readonly quick: boolean;
  /** A scratch directory for this run; figures make their own sub-directories in it. */
  readonly tmpDir: string;
  /** URL of the run's redis-server, or `undefined` when none could be started. */
  readonly redisUrl: string | undefined;
  /** Why there is no redis server (shown on the rows that needed it). */
  readonly redisUnavailable: string | undefined;
  /** Progress messages (stderr in the CLI, silent in tests). */
  log(message: string): void;
}

/** A fresh directory under `ctx.tmpDir` whose name starts with `prefix`. */
export function scratchDir(ctx: BenchContext, prefix: string): string {
  return mkdtempSync(join(ctx.tmpDir, `${prefix}-`));
}

/** A new scratch root in the OS temp directory (the runner removes it at the end). */
export function makeRunDir(): string {
  return mkdtempSync(join(tmpdir(), 'hft-bench-'));
}
