import { homedir as osHomedir } from 'node:os';
import { cipherFromEnv, type RecordCipher, readerFirstStore, type TokenStore } from '@hft/auth-core/store';
import { ErrorCodes, StorageError } from '@hft/errors';
import { describeType, invalidArgument } from '@hft/errors/assert';
import type { ResolvedConfig } from './config-types.js';
import { configError } from './issues.js';
import { parseConfig } from './parse-config.js';
import type { StorageSelection } from './storage.js';

// This lives in @hft/config, not @hft/auth-core: auth-core owns the TokenStore contract and the
// storage packages depend on it (peer), so auth-core importing them would point the dependency
// the wrong way, and auth-core may not import config. Config owns `HFT_STORAGE` and the
// StorageSelection it parses to, and sits above both.

/** Loads a module by specifier; injectable so the missing-package path can be exercised. */
export type StorageImporter = (specifier: string) => Promise<unknown>;

/** The package each storage kind lives in: installed by the app only when it is used. */
export const STORAGE_PACKAGES = {
  file: '@hft/storage-file',
  sqlite: '@hft/storage-sqlite',
  redis: '@hft/storage-redis',
} as const;

/** The lean reader entry of each shared backend (see {@link OpenTokenStoreOptions.leanReads}). */
export const READER_PACKAGES = {
  sqlite: '@hft/storage-sqlite/reader',
  redis: '@hft/storage-redis/reader',
} as const;

// Literal specifiers, so a bundler (the CLI's) can see them: it inlines the default file store
// and keeps the optional backends external, loaded only when selected.
const defaultImporter: StorageImporter = (specifier) => {
  switch (specifier) {
    case STORAGE_PACKAGES.file:
      return import('@hft/storage-file');
    case STORAGE_PACKAGES.sqlite:
      return import('@hft/storage-sqlite');
    case STORAGE_PACKAGES.redis:
      return import('@hft/storage-redis');
    case READER_PACKAGES.sqlite:
      return import('@hft/storage-sqlite/reader');
    case READER_PACKAGES.redis:
      return import('@hft/storage-redis/reader');
    default:
      return import(specifier);
  }
};

type FileModule = typeof import('@hft/storage-file');
type SqliteModule = typeof import('@hft/storage-sqlite');
type RedisModule = typeof import('@hft/storage-redis');
type SqliteReaderModule = typeof import('@hft/storage-sqlite/reader');
type RedisReaderModule = typeof import('@hft/storage-redis/reader');

/** Options of {@link openTokenStore}. */
export interface OpenTokenStoreOptions {
  /**
   * Encryption at rest. Default: `cipherFromEnv(env)` (`HFT_MASTER_KEY` / `HFT_MASTER_PASSPHRASE`;
   * plain records when neither is set).
   */
  cipher?: RecordCipher;
  /** Environment read for the cipher. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Receives the file store's warnings (permissions tightened, files skipped...). Default: ignored. */
  onWarning?: (message: string) => void;
  /** Base of relative paths in a string `source`. Default `process.cwd()`. */
  cwd?: string;
  /** Home directory for `~` in a string `source`. Default `os.homedir()`. */
  homedir?: string;
  /** How the storage package is loaded. Default: a dynamic `import()`. For tests. */
  importer?: StorageImporter;
  /**
   * How a lean reader entry (see {@link leanReads}) is loaded. Default: `importer`. A CommonJS
   * caller may pass `require` (wrapped in a promise) to load the readers' CommonJS builds
   * without starting the ES module loader.
   */
  readerImporter?: StorageImporter;
  /**
   * For short read-mostly programs (`hft token`): on SQLite and Redis, `get` and `list` go through
   * the backend's lean reader (`<package>/reader`: one connection, one statement, a fraction of
   * the full store's loading time), and the full store is imported and opened only on the first
   * write, lock or watch, or when the reader cannot answer a read (then its answer, or its error,
   * is the one returned). Results are the same either way. Ignored for the file store, which is
   * already cheap to open. Default `false`.
   */
  leanReads?: boolean;
}

/**
 * Opens the token store the configuration selects, importing its storage package only now, so
 * an app installs only the backend it uses.
 *
 * @param source the resolved config (`(await loadConfig()).config`, its `storage` is used), a
 *   {@link StorageSelection}, or a string in the `HFT_STORAGE` forms (`file:<dir>`,
 *   `sqlite:<path>`, `redis://...`, `rediss://...`).
 * @param options cipher, environment, warnings; see {@link OpenTokenStoreOptions}.
 * @returns the store; the caller closes it (`store.close()`).
 * @throws StorageError `HFT_STORAGE_PACKAGE_MISSING` (`backend`: the kind) when the selected
 *   package is not installed, naming it; ConfigError `HFT_CONFIG_INVALID` for a malformed string
 *   `source`; InputError for a malformed master key or a `source` of the wrong type.
 */
export async function openTokenStore(
  source: Pick<ResolvedConfig, 'storage'> | StorageSelection | string,
  options: OpenTokenStoreOptions = {},
): Promise<TokenStore> {
  const selection = toSelection(source, options);
  const cipher = options.cipher ?? cipherFromEnv(options.env ?? process.env);
  const withCipher = cipher ? { cipher } : {};
  const specifier = STORAGE_PACKAGES[selection.kind];
  const load = async <T>(): Promise<T> => {
    try {
      return (await (options.importer ?? defaultImporter)(specifier)) as T;
    } catch (error) {
      if (!isModuleNotFound(error, specifier)) throw error;
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
  };
  if (options.leanReads && selection.kind !== 'file') {
    const { leanReads: _, ...full } = options;
    const readerSpecifier = READER_PACKAGES[selection.kind];
    const importer = options.readerImporter ?? options.importer ?? defaultImporter;
    return readerFirstStore({
      name: selection.kind,
      ...withCipher,
      openReader: async () =>
        selection.kind === 'sqlite'
          ? ((await importer(readerSpecifier)) as SqliteReaderModule).openSqliteReader({
              path: selection.path,
            })
          : ((await importer(readerSpecifier)) as RedisReaderModule).openRedisReader({ url: selection.url }),
      openStore: () => openTokenStore(selection, { ...full, ...withCipher }),
    });
  }
  switch (selection.kind) {
    case 'file': {
      const { onWarning } = options;
      return (await load<FileModule>()).createFileTokenStore({
        dir: selection.dir,
        ...withCipher,
        ...(onWarning ? { onWarning: (warning) => onWarning(warning.message) } : {}),
      });
    }
    case 'sqlite':
      return (await load<SqliteModule>()).createSqliteTokenStore({ path: selection.path, ...withCipher });
    case 'redis':
      return (await load<RedisModule>()).createRedisTokenStore({ url: selection.url, ...withCipher });
  }
}

function toSelection(
  source: Pick<ResolvedConfig, 'storage'> | StorageSelection | string,
  options: OpenTokenStoreOptions,
): StorageSelection {
  if (typeof source === 'string') {
    const parsed = parseConfig({
      homedir: options.homedir ?? osHomedir(),
      cwd: options.cwd ?? process.cwd(),
      options: { storage: source },
    });
    if (!parsed.ok) throw configError('Invalid storage', parsed.issues, parsed.code);
    return parsed.config.storage;
  }
  if (typeof source === 'object' && source !== null) {
    const selection = 'storage' in source ? source.storage : source;
    if (
      typeof selection === 'object' &&
      selection !== null &&
      Object.hasOwn(STORAGE_PACKAGES, selection.kind)
    ) {
      return selection;
    }
  }
  throw invalidArgument('source', 'a Config, a StorageSelection or an HFT_STORAGE string', {
    got: describeType(source),
  });
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error instanceof Error &&
    error.message.includes(specifier)
  );
}
