import type { RecordCipher, TokenStore } from '@hft/auth-core/store';
import { cipherFromEnv } from '@hft/auth-core/store';
import type { StorageSelection } from '@hft/config';
import { ErrorCodes, StorageError } from '@hft/errors';

/** Loads a module by specifier; injectable so the missing-package path can be exercised. */
export type Importer = (specifier: string) => Promise<unknown>;

const PACKAGES = {
  file: '@hft/storage-file',
  sqlite: '@hft/storage-sqlite',
  redis: '@hft/storage-redis',
} as const;

// Literal specifiers, so the bundler can see them: the default file store is bundled into the
// CLI (it is on the start-up path of `hft token`); the optional backends stay external and load
// only when selected.
const defaultImporter: Importer = (specifier) => {
  switch (specifier) {
    case PACKAGES.file:
      return import('@hft/storage-file');
    case PACKAGES.sqlite:
      return import('@hft/storage-sqlite');
    case PACKAGES.redis:
      return import('@hft/storage-redis');
    default:
      return import(specifier);
  }
};

interface FileModule {
  createFileTokenStore(options: Record<string, unknown>): TokenStore;
}
interface SqliteModule {
  createSqliteTokenStore(options: Record<string, unknown>): TokenStore;
}
interface RedisModule {
  createRedisTokenStore(options: Record<string, unknown>): TokenStore;
}

/**
 * Opens the store the configuration selects. The storage package is imported only now, so
 * users install only the backend they use; when it is missing the error names the package.
 * Encryption at rest follows `HFT_MASTER_KEY` / `HFT_MASTER_PASSPHRASE`.
 *
 * @throws StorageError `HFT_STORAGE_PACKAGE_MISSING`; InputError for a malformed master key.
 */
export async function openStore(
  selection: StorageSelection,
  options: {
    env?: Record<string, string | undefined>;
    /** The cipher to use instead of the environment's (the `store` commands pass their own). */
    cipher?: RecordCipher;
    importer?: Importer;
    onWarning?: (message: string) => void;
  } = {},
): Promise<TokenStore> {
  const importer = options.importer ?? defaultImporter;
  const cipher = options.cipher ?? cipherFromEnv(options.env ?? process.env);
  const withCipher = cipher ? { cipher } : {};
  const specifier = PACKAGES[selection.kind];
  const load = async <T>(): Promise<T> => {
    try {
      return (await importer(specifier)) as T;
    } catch (error) {
      if (isModuleNotFound(error, specifier)) {
        throw new StorageError(
          `The configured storage "${selection.kind}" needs the package ${specifier}, which is not installed. Install it (pnpm add ${specifier}) or choose another HFT_STORAGE.`,
          {
            backend: selection.kind,
            code: ErrorCodes.STORAGE_PACKAGE_MISSING,
            cause: error,
            details: { backend: selection.kind, operation: 'open' },
          },
        );
      }
      throw error;
    }
  };
  switch (selection.kind) {
    case 'file': {
      const mod = await load<FileModule>();
      return mod.createFileTokenStore({
        dir: selection.dir,
        ...withCipher,
        ...(options.onWarning
          ? {
              onWarning: (w: { message?: string } | string) =>
                options.onWarning?.(typeof w === 'string' ? w : (w.message ?? String(w))),
            }
          : {}),
      });
    }
    case 'sqlite': {
      const mod = await load<SqliteModule>();
      return mod.createSqliteTokenStore({ path: selection.path, ...withCipher });
    }
    case 'redis': {
      const mod = await load<RedisModule>();
      return mod.createRedisTokenStore({ url: selection.url, ...withCipher });
    }
  }
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(specifier)
  );
}
