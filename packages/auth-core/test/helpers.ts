import { createManualClock, type ManualClock } from '@hft/time/testing';
import { afterEach } from 'vitest';
import {
  accountKey,
  createMemoryBackend,
  createMemoryTokenStore,
  type MemoryBackend,
  TokenManager,
  type TokenManagerOptions,
  type TokenRecord,
} from '../src/index.js';

/** 2026-11-26 10:00 IST; a token issued now expires 2026-11-27 03:30 IST. */
export const START = Date.parse('2026-11-26T10:00:00+05:30');
export const EXPIRY = Date.parse('2026-11-27T03:30:00+05:30');
export const CLIENT = 'test-client';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
/** Runs `fn` after the current test. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** A complete record for `userId` issued at START. */
export function recordFor(userId = 'AB1234', overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    accountKey: accountKey(CLIENT, userId),
    clientId: CLIENT,
    accessToken: `token-${userId}-${Math.random().toString(36).slice(2)}`,
    userId,
    userName: `User ${userId}`,
    exchanges: ['NSE'],
    products: ['D'],
    orderTypes: ['LIMIT'],
    issuedAt: START,
    expiresAt: EXPIRY,
    source: 'oauth',
    ...overrides,
  };
}

/** A manager over a memory store with a manual clock (closed after the test). */
export function memoryManager(
  options: Partial<TokenManagerOptions> & { backend?: MemoryBackend; clock?: ManualClock } = {},
): { manager: TokenManager; backend: MemoryBackend; clock: ManualClock } {
  const backend = options.backend ?? createMemoryBackend();
  const clock = (options.clock as ManualClock | undefined) ?? createManualClock(START);
  const manager = new TokenManager({
    clientId: CLIENT,
    clientSecret: 'test-secret',
    redirectUri: 'http://127.0.0.1:5055/callback',
    baseUrl: 'http://127.0.0.1:9',
    ...options,
    store: options.store ?? createMemoryTokenStore({ backend }),
    clock,
  });
  onCleanup(() => manager.close());
  return { manager, backend, clock };
}
