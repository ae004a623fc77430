import { createMemoryTokenStore, TokenManager } from '@hft/auth-core';
import type { TokenRecord, TokenStore } from '@hft/auth-core/store';
import type { Clock } from '@hft/time/core';
import { BENCH_CLIENT_ID, BENCH_REDIRECT_URI, makeRecord } from './records.js';

/** Options of {@link loadedManager}. */
export interface LoadedManagerOptions {
  /** The record to serve. Default: a fresh {@link makeRecord}. */
  record?: TokenRecord;
  /** A store already holding `record` (to share it). Default: a new memory store holding it. */
  store?: TokenStore;
  /** The manager's clock. Default: the system clock. */
  clock?: Clock;
}

/**
 * A `TokenManager` of the bench client, bound to `record`'s account over a memory store, with
 * the record loaded: the hot-path state every in-process figure starts from.
 */
export async function loadedManager(
  options: LoadedManagerOptions = {},
): Promise<{ manager: TokenManager; record: TokenRecord; store: TokenStore }> {
  const record = options.record ?? makeRecord();
  let store = options.store;
  if (store === undefined) {
    store = createMemoryTokenStore();
    await store.set(record.accountKey, record);
  }
  const manager = new TokenManager({
    clientId: BENCH_CLIENT_ID,
    redirectUri: BENCH_REDIRECT_URI,
    store,
    account: record.accountKey,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  await manager.load();
  return { manager, record, store };
}
