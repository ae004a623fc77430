import { createRecordCipher, type TokenStore } from '@hft/auth-core/store';

/**
 * Where a store lives, as plain JSON, so a child process can open the same store as its parent.
 * `keyBase64` (32 bytes) turns encryption at rest on.
 */
export type StoreSpec =
  | { kind: 'file'; dir: string; keyBase64?: string }
  | { kind: 'sqlite'; path: string; keyBase64?: string }
  | { kind: 'redis'; url: string; prefix?: string; keyBase64?: string };

/**
 * Opens the store `spec` describes. The sqlite and redis packages are imported only when asked
 * for, so a figure over the file store runs even when another backend's build is missing.
 * A redis store is connected before this resolves.
 * @throws whatever the storage package throws (missing package, bad options, unreachable server).
 */
export async function openStore(spec: StoreSpec): Promise<TokenStore> {
  const cipher = spec.keyBase64 === undefined ? undefined : createRecordCipher({ key: spec.keyBase64 });
  const withCipher = cipher ? { cipher } : {};
  switch (spec.kind) {
    case 'file': {
      const { createFileTokenStore } = await import('@hft/storage-file');
      return createFileTokenStore({ dir: spec.dir, ...withCipher });
    }
    case 'sqlite': {
      const { createSqliteTokenStore } = await import('@hft/storage-sqlite');
      return createSqliteTokenStore({ path: spec.path, ...withCipher });
    }
    case 'redis': {
      const { createRedisTokenStore } = await import('@hft/storage-redis');
      const store = createRedisTokenStore({
        url: spec.url,
        ...(spec.prefix === undefined ? {} : { prefix: spec.prefix }),
        ...withCipher,
      });
      await store.connect();
      return store;
    }
  }
}
