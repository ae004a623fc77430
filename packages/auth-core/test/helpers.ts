import { createManualClock, type ManualClock } from '@hft/time/testing';
import { afterEach } from 'vitest';
import {
  accountKey,
  createMemoryBackend,
  createMemoryTokenStore,
  type KindToken,
  type MemoryBackend,
  RECORD_VERSION,
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

/** The daily token's fields, flat, as tests like to override them (plus the extended token). */
export interface FlatTokenFields {
  accessToken?: string;
  issuedAt?: number;
  expiresAt?: number;
  source?: KindToken['source'];
  extendedToken?: string;
}

/** Overrides of {@link recordFor}: record fields, or the daily token's fields flat. */
export type RecordOverrides = Partial<TokenRecord> & FlatTokenFields;

/** A complete record for `userId` issued at START (a daily token; overrides may be flat). */
export function recordFor(userId = 'AB1234', overrides: RecordOverrides = {}): TokenRecord {
  const { accessToken, issuedAt, expiresAt, source, extendedToken, ...rest } = overrides;
  const daily: KindToken = {
    token: accessToken ?? `token-${userId}-${Math.random().toString(36).slice(2)}`,
    issuedAt: issuedAt ?? START,
    expiresAt: expiresAt ?? EXPIRY,
    source: source ?? 'oauth',
  };
  const tokens: TokenRecord['tokens'] = { daily };
  if (extendedToken !== undefined) {
    tokens.extended = {
      token: extendedToken,
      issuedAt: daily.issuedAt,
      expiresAt: daily.issuedAt + 365 * 86_400_000,
      source: daily.source,
    };
  }
  return {
    version: RECORD_VERSION,
    accountKey: accountKey(CLIENT, userId),
    clientId: CLIENT,
    userId,
    userName: `User ${userId}`,
    exchanges: ['NSE'],
    products: ['D'],
    orderTypes: ['LIMIT'],
    tokens,
    ...rest,
  };
}

/** `record` with its daily token changed by `patch` (tests). */
export function withDaily(record: TokenRecord, patch: Partial<KindToken>): TokenRecord {
  return { ...record, tokens: { ...record.tokens, daily: { ...record.tokens.daily!, ...patch } } };
}

/** The daily token string of `record` (tests). */
export function dailyOf(record: TokenRecord | undefined): string | undefined {
  return record?.tokens.daily?.token;
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
