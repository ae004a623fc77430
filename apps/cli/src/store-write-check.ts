// `hft login` proves it can write the store before it sends the user to Upstox: a login whose
// token cannot be stored is a code spent for nothing. `hft doctor` runs the same check.
import type { TokenRecord, TokenStore } from '@hft/auth-core/store';
import { ErrorCodes, StorageError } from '@hft/errors';

// A client id no app has: the probe never shows up among any app's accounts.
const PROBE_CLIENT = 'hft-write-check';

/**
 * Writes and deletes a throwaway record (no secret in it) through `store`'s own `set` and
 * `delete`, so every backend is checked the way a login will use it.
 * @throws StorageError naming the store, with the backend's failure as the cause.
 */
export async function assertStoreWritable(store: TokenStore): Promise<void> {
  const userId = `probe-${process.pid}-${Date.now().toString(36)}`;
  const key = `upstox:${PROBE_CLIENT}:${userId}`;
  const probe: TokenRecord = {
    accountKey: key,
    clientId: PROBE_CLIENT,
    userId,
    exchanges: [],
    products: [],
    orderTypes: [],
    tokens: { daily: { token: 'write-check', issuedAt: 0, expiresAt: 0, source: 'manual' } },
  };
  try {
    await store.set(key, probe);
  } catch (error) {
    throw new StorageError(
      `The ${store.name} token store cannot be written (${error instanceof Error ? error.message : String(error)}); fix that first: nothing was sent to Upstox`,
      {
        backend: store.name,
        code: ErrorCodes.STORAGE_UNAVAILABLE,
        cause: error,
        details: { backend: store.name, operation: 'set' },
      },
    );
  }
  await store.delete(key);
}
