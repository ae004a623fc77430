import { startRedis as startRedisServer } from '@hft/test-kit';

/** A real redis-server on a free loopback port, without persistence. */
export interface TestRedis {
  url: string;
  /** Kills the server (idempotent). */
  stop(): Promise<void>;
}

/** Starts `redis-server` on 127.0.0.1 (the shared test-kit fixture) and waits until it answers. */
export async function startRedis(): Promise<TestRedis> {
  const server = await startRedisServer();
  return { url: server.url(), stop: () => server.shutdown() };
}
