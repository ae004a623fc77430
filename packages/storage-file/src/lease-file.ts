// Lock files: the lease primitives of withLock, with takeover of run-out leases and of holders
// gone from this host.
import { unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LeasePrimitives } from '@hft/auth-core/store';
import type { Clock } from '@hft/time/core';
import { toIstIso } from '@hft/time/core';
import {
  createExclusive,
  detachIfSame,
  ensureDirectory,
  type FileSnapshot,
  type ModeTightened,
  readSnapshotSync,
  tempBeside,
} from './file-io.js';
import { LOCK_DIR, lockFileFor } from './file-names.js';
import { processGone } from './process-liveness.js';
import { asStorageError, BACKEND, errnoCode } from './store-errors.js';

/**
 * How long a takeover guard may be held before others may break it, in ms. The guard only spans
 * a few file-system calls; this bound matters only if its holder dies inside that window.
 */
export const GUARD_TTL_MS = 2_000;

/** What a lock file says about its holder. */
export interface LockInfo {
  /** Unique id of the `withLock` call holding it (`<pid>:<random>`). */
  owner: string;
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder. */
  host: string;
  /** When the lease runs out (epoch ms, from the holder's clock). */
  expiresAtMs: number;
  /** The same instant in IST, for people reading the file. */
  expiresAt: string;
}

interface Held extends FileSnapshot {
  info: LockInfo | undefined;
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.owner !== 'string' || typeof value.expires_at_ms !== 'number') return undefined;
    return {
      owner: value.owner,
      pid: typeof value.pid === 'number' ? value.pid : 0,
      host: typeof value.host === 'string' ? value.host : '',
      expiresAtMs: value.expires_at_ms,
      expiresAt: typeof value.expires_at === 'string' ? value.expires_at : '',
    };
  } catch {
    return undefined;
  }
}

async function readHeld(path: string, tightened: ModeTightened): Promise<Held | undefined> {
  const snapshot = readSnapshotSync(path, { tightened });
  return snapshot && { ...snapshot, info: parseLock(snapshot.text) };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Options of {@link createFileLease}. */
export interface FileLeaseOptions {
  /** The token directory; locks live in its `.locks` sub-directory. */
  dir: string;
  /** Source of "now" for lease expiry. */
  clock: Clock;
  /** Reports a tightened directory mode. */
  tightened: ModeTightened;
  /** Reports a release that failed (the lease then simply runs out). */
  releaseFailed(path: string, error: unknown): void;
}

/**
 * The lease primitives of the file store, for `withLease`.
 *
 * A lock is the file `<dir>/.locks/<key>.lock` holding owner id, pid, host and lease expiry. It
 * is taken by writing a complete temp file and `link`ing it into place (`link` never replaces,
 * so exactly one contender wins, and nobody ever reads a half-written lock). A lock whose lease
 * ran out, whose holder was on this host and is gone (`kill(pid, 0)` says `ESRCH`), or that
 * cannot be parsed is broken under a short per-key guard file, taken the same
 * way: the guard makes "check it is still the stale lock, remove it" one step, so a slow taker
 * can never remove the lock another taker just created. Release takes the same guard and removes
 * the lock only if this owner still holds it.
 */
export function createFileLease(options: FileLeaseOptions): LeasePrimitives {
  const { dir, clock } = options;
  const lockDir = join(dir, LOCK_DIR);
  const host = hostname();

  const lockPath = (key: string) => join(lockDir, lockFileFor(key));

  /**
   * Whether the lease recorded in `info` no longer holds: it ran out, or it was taken on this
   * host by a process that no longer exists (a killed holder need not be waited out).
   */
  const lapsed = (info: LockInfo) =>
    info.expiresAtMs <= clock.now() || (info.host === host && processGone(info.pid));

  function content(owner: string, ttlMs: number): string {
    const expiresAtMs = clock.now() + ttlMs;
    return `${JSON.stringify({
      owner,
      pid: process.pid,
      host,
      expires_at_ms: expiresAtMs,
      expires_at: toIstIso(Math.round(expiresAtMs)),
    })}\n`;
  }

  async function publish(path: string, text: string): Promise<boolean> {
    try {
      return await createExclusive(path, text, { durable: false });
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      await ensureDirectory(dir, options.tightened);
      await ensureDirectory(lockDir, options.tightened);
      return createExclusive(path, text, { durable: false });
    }
  }

  /**
   * Runs `fn` holding the guard of `path`; `undefined` when the guard is busy (a stale guard is
   * broken first, and the caller retries).
   */
  async function withGuard<T>(path: string, owner: string, fn: () => Promise<T>): Promise<T | undefined> {
    const guard = `${path}.guard`;
    if (!(await publish(guard, content(owner, GUARD_TTL_MS)))) {
      const held = await readHeld(guard, options.tightened);
      if (held && (held.info === undefined || lapsed(held.info))) {
        const aside = tempBeside(guard, 'stale');
        if ((await detachIfSame(held, aside)) === 'detached') await unlink(aside).catch(() => {});
      }
      return undefined;
    }
    try {
      return await fn();
    } finally {
      const mine = await readHeld(guard, options.tightened).catch(() => undefined);
      if (mine?.info?.owner === owner) await unlink(guard).catch(() => {});
    }
  }

  return {
    backend: BACKEND,
    async tryAcquire(key, owner, ttlMs) {
      const path = lockPath(key);
      try {
        const text = content(owner, ttlMs);
        if (await publish(path, text)) return true;
        const held = await readHeld(path, options.tightened);
        if (held === undefined) return publish(path, text);
        if (held.info !== undefined && !lapsed(held.info)) return false;
        const taken = await withGuard(path, owner, async () => {
          const again = await readHeld(path, options.tightened);
          if (again !== undefined) {
            if (again.text !== held.text) return false;
            await unlink(path).catch((error: unknown) => {
              if (errnoCode(error) !== 'ENOENT') throw error;
            });
          }
          return publish(path, content(owner, ttlMs));
        });
        return taken === true;
      } catch (error) {
        throw asStorageError(error, 'take the lock', path, { operation: 'lock', key });
      }
    },
    async release(key, owner) {
      const path = lockPath(key);
      try {
        const held = await readHeld(path, options.tightened);
        if (held?.info?.owner !== owner) return;
        // The guard is busy only for a few file-system calls (or until a dead taker's guard
        // expires); past that bound the lease simply runs out on its own.
        const deadline = GUARD_TTL_MS * 2;
        for (let waited = 0; waited <= deadline; waited += 5) {
          const done = await withGuard(path, `${owner}:release`, async () => {
            const again = await readHeld(path, options.tightened);
            if (again?.info?.owner === owner) await unlink(path);
            return true;
          });
          if (done) return;
          await delay(5);
        }
      } catch (error) {
        options.releaseFailed(path, error);
      }
    },
  };
}
