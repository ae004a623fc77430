// The Redis store's shared rate-limit counters (`TokenStore.rateLimits`): rate-limiter-flexible's
// RateLimiterRedis on the store's own command connection, so the client's buckets are shared by
// every process using this Redis. auth-core decides the windows and keys; this only counts.
import type { RateLimitBackend } from '@hft/auth-core/store';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisConnection } from './redis-connection.js';

/**
 * Counters at `<prefix>ratelimit:<key>` (outside the tracked `<prefix>token:` space, so counting
 * never wakes a watcher). Each count is one atomic script (SET NX EX + INCRBY + PTTL) through
 * {@link RedisConnection.run}: connect-on-demand, bounded by the store's timeouts, errors as
 * `StorageError` without the password.
 */
export function redisRateLimits(
  commands: RedisConnection,
  prefix: string,
  backend: string,
): RateLimitBackend {
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = (limit: number, ttlSeconds: number): RateLimiterRedis => {
    const id = `${limit}/${ttlSeconds}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      limiter = new RateLimiterRedis({
        storeClient: commands.client,
        useRedisPackage: true,
        // The connection's own wait-for-ready comes first; a client that dropped in between
        // must fail now rather than queue.
        rejectIfRedisNotReady: true,
        keyPrefix: `${prefix}ratelimit`,
        points: limit,
        duration: ttlSeconds,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  return {
    name: backend,
    consume(key, limit, ttlMs) {
      const limiter = limiterFor(limit, Math.max(1, Math.ceil(ttlMs / 1000)));
      return commands.run('rate-limit', undefined, async () => {
        try {
          await limiter.consume(key, 1);
          return true;
        } catch (error) {
          if (error instanceof RateLimiterRes) return false;
          throw error;
        }
      });
    },
  };
}
