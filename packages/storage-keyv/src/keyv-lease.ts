import type { LeasePrimitives } from '@hft/auth-core/store';
import type Keyv from 'keyv';

const LOCK_PREFIX = 'hft-lock:';

/**
 * A best-effort lease kept in the Keyv itself, for backends without an atomic primitive:
 * read the lock entry; if it is free or its lease ran out, write ours with a Keyv TTL of the
 * lease, then read it back and keep it only if ours survived. Within one process this is exact
 * (the event loop serialises it); across processes two writers can both believe they won in a
 * narrow window, which is why the SQLite and Redis stores pass atomic primitives instead.
 * Lease times use the wall clock because other processes share them.
 */
export function keyvLease(keyv: Keyv, backend: string): LeasePrimitives {
  const chains = new Map<string, Promise<unknown>>();
  // Serialise attempts on one key inside this process, so read-check-write cannot interleave.
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    chains.set(
      key,
      next.catch(() => {}),
    );
    return next;
  };
  return {
    backend,
    tryAcquire(key, owner, ttlMs) {
      return serial(key, async () => {
        const lockKey = LOCK_PREFIX + key;
        const held = (await keyv.get(lockKey)) as { owner: string; until: number } | undefined;
        if (held && held.until > Date.now()) return false;
        await keyv.set(lockKey, { owner, until: Date.now() + ttlMs }, ttlMs);
        const check = (await keyv.get(lockKey)) as { owner: string } | undefined;
        return check?.owner === owner;
      });
    },
    release(key, owner) {
      return serial(key, async () => {
        const lockKey = LOCK_PREFIX + key;
        const held = (await keyv.get(lockKey)) as { owner: string } | undefined;
        if (held?.owner === owner) await keyv.delete(lockKey);
      });
    },
  };
}
