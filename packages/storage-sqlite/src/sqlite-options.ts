import { resolve } from 'node:path';
import type { RecordCipher } from '@hft/auth-core/store';
import {
  argumentError,
  assertFiniteNumber,
  assertMatches,
  assertNonEmptyString,
  assertPlainObject,
  describeType,
  invalidArgument,
} from '@hft/errors/assert';

/** Default name of the records table. */
export const DEFAULT_TABLE = 'hft_tokens';
/** Default name of the lock (lease) table. */
export const DEFAULT_LEASE_TABLE = 'hft_token_leases';
/** Default time a statement waits for another connection's write lock, in ms. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Default interval of the `PRAGMA data_version` poll behind `watch`, in ms. */
export const DEFAULT_WATCH_INTERVAL_MS = 200;

/** Options of `createSqliteTokenStore`. */
export interface SqliteTokenStoreOptions {
  /**
   * The database file, e.g. `/var/lib/hft/hft.db` (the `<path>` of `HFT_STORAGE=sqlite:<path>`);
   * relative paths resolve against the working directory. A missing file is created with mode
   * 0600, a missing directory with mode 0700.
   */
  path: string;
  /** Table of records: letters, digits and `_`, starting with a letter. Default `hft_tokens`. */
  table?: string;
  /** Table of lock leases, same rules as `table`. Default `hft_token_leases`. */
  leaseTable?: string;
  /** Encrypt records at rest (AES-256-GCM, see `createRecordCipher` in `@hft/auth-core`). */
  cipher?: RecordCipher;
  /**
   * How long a statement waits for another connection's write lock before failing with
   * `SQLITE_BUSY`, in ms. Default 5000.
   */
  busyTimeoutMs?: number;
  /** How often `watch` polls `PRAGMA data_version` for other connections' commits, in ms. Default 200. */
  watchIntervalMs?: number;
}

/** {@link SqliteTokenStoreOptions} checked, with defaults applied and `path` made absolute. */
export interface ResolvedSqliteOptions {
  /** Absolute path of the database file. */
  path: string;
  /** Records table (a checked identifier). */
  table: string;
  /** Lease table (a checked identifier). */
  leaseTable: string;
  /** Cipher for records at rest, if any. */
  cipher: RecordCipher | undefined;
  /** Busy timeout in ms. */
  busyTimeoutMs: number;
  /** Watch poll interval in ms. */
  watchIntervalMs: number;
}

// Table names are spliced into SQL (they cannot be bound), so only plain identifiers pass.
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const MAX_TIMER_MS = 2 ** 31 - 1;

function milliseconds(value: unknown, argument: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  assertFiniteNumber(value, argument, {
    integer: true,
    min,
    max: MAX_TIMER_MS,
    expected: `a whole number of milliseconds >= ${min}`,
  });
  return value;
}

function identifier(value: unknown, argument: string, fallback: string): string {
  if (value === undefined) return fallback;
  assertMatches(value, argument, IDENTIFIER, '1-63 letters, digits or "_", starting with a letter');
  return value;
}

/**
 * Checks `options` and applies the defaults.
 * @throws InputError naming the first invalid option.
 */
export function resolveSqliteOptions(options: SqliteTokenStoreOptions): ResolvedSqliteOptions {
  assertPlainObject(options, 'options', 'an object with at least a path');
  const { path } = options;
  assertNonEmptyString(path, 'options.path', 'the path of the database file');
  if (path.trim() === '' || path.includes('\0')) {
    throw invalidArgument('options.path', 'the path of the database file');
  }
  if (path === ':memory:' || path.startsWith('file:')) {
    throw invalidArgument('options.path', 'a file path (an in-memory or URI database cannot be shared)');
  }
  if (path.startsWith('sqlite:')) {
    throw invalidArgument('options.path', 'the path alone, without the "sqlite:" prefix of HFT_STORAGE');
  }
  const table = identifier(options.table, 'options.table', DEFAULT_TABLE);
  const leaseTable = identifier(options.leaseTable, 'options.leaseTable', DEFAULT_LEASE_TABLE);
  if (table.toLowerCase() === leaseTable.toLowerCase()) {
    throw argumentError('options.leaseTable', 'must differ from options.table');
  }
  if (options.cipher !== undefined && (typeof options.cipher !== 'object' || options.cipher === null)) {
    throw invalidArgument('options.cipher', 'a RecordCipher (see createRecordCipher)', {
      got: describeType(options.cipher),
    });
  }
  return {
    path: resolve(path),
    table,
    leaseTable,
    cipher: options.cipher,
    busyTimeoutMs: milliseconds(options.busyTimeoutMs, 'options.busyTimeoutMs', DEFAULT_BUSY_TIMEOUT_MS, 0),
    watchIntervalMs: milliseconds(
      options.watchIntervalMs,
      'options.watchIntervalMs',
      DEFAULT_WATCH_INTERVAL_MS,
      1,
    ),
  };
}
