import type { LeasePrimitives } from '@hft/auth-core/store';
import type { KeyLayout } from './key-layout.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * Deletes the lock only while it still holds this owner's id, in one atomic step on the server,
 * so a holder whose lease ran out (and was taken over) cannot delete the new holder's lock.
 */
export const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Lease primitives on Redis: take with `SET <prefix>lock:<key> <owner> NX PX <ttl>` (atomic:
 * one winner, and the lease expires on the server even if the holder dies), release with
 * {@link RELEASE_SCRIPT}. `withLock` is built on these by `@hft/storage-keyv` / auth-core.
 */
export function redisLease(connection: RedisConnection, keys: KeyLayout, backend: string): LeasePrimitives {
  return {
    backend,
    async tryAcquire(key, owner, ttlMs) {
      const lease = Math.max(1, Math.ceil(ttlMs));
      const reply = await connection.run('lock', key, (client) =>
        client.set(keys.lock(key), owner, { condition: 'NX', expiration: { type: 'PX', value: lease } }),
      );
      return reply === 'OK';
    },
    async release(key, owner) {
      await connection.run('unlock', key, (client) =>
        client.eval(RELEASE_SCRIPT, { keys: [keys.lock(key)], arguments: [owner] }),
      );
    },
  };
}
