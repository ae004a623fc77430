import { maskUrlPassword } from './mask.js';
import { withMaskedView } from './masked-view.js';

/** Tokens in one JSON file per account under `dir` (the default: `<home>/tokens`). */
export interface FileStorageSelection {
  readonly kind: 'file';
  /** Absolute directory path. */
  readonly dir: string;
}

/** Tokens in one SQLite database file. */
export interface SqliteStorageSelection {
  readonly kind: 'sqlite';
  /** Absolute path of the database file. */
  readonly path: string;
}

/** Tokens in Redis, shared by every process and machine that points at it. */
export interface RedisStorageSelection {
  readonly kind: 'redis';
  /**
   * The `redis://` or `rediss://` URL as configured, password included (the store needs it).
   * `toJSON`, `toString` and `util.inspect` of this object mask the password.
   */
  readonly url: string;
}

/** Which token store the app should open, parsed from `HFT_STORAGE` / `storage`. */
export type StorageSelection = FileStorageSelection | SqliteStorageSelection | RedisStorageSelection;

/**
 * The printable form of a selection: `file:<dir>`, `sqlite:<path>`, or the Redis URL with its
 * password masked. The same forms are accepted back by `HFT_STORAGE`.
 */
export function formatStorage(selection: StorageSelection): string {
  switch (selection.kind) {
    case 'file':
      return `file:${selection.dir}`;
    case 'sqlite':
      return `sqlite:${selection.path}`;
    case 'redis':
      return maskUrlPassword(selection.url);
  }
}

/** Freezes a selection; a Redis one also gets masked `toJSON` / `toString` / `util.inspect`. */
export function freezeStorage(selection: StorageSelection): StorageSelection {
  if (selection.kind !== 'redis') return Object.freeze({ ...selection });
  const copy = { kind: 'redis' as const, url: selection.url };
  return withMaskedView(copy, 'RedisStorageSelection', () => ({
    kind: 'redis',
    url: maskUrlPassword(copy.url),
  }));
}

/**
 * Splits a storage string into the object form: `file:<dir>`, `sqlite:<path>` (a `//` right after
 * the scheme is dropped, so `file:///abs` and keyv-style `sqlite://rel/path.db` work), and
 * `redis://...` / `rediss://...` kept whole. Anything else yields its scheme (or none) as `kind`,
 * which the schema then rejects with the list of accepted forms.
 */
export function splitStorageSpec(spec: string): { kind: unknown; [key: string]: unknown } {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(spec);
  if (!match) return { kind: undefined };
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  const local = rest.startsWith('//') ? rest.slice(2) : rest;
  switch (scheme) {
    case 'file':
      return { kind: 'file', dir: local };
    case 'sqlite':
      return { kind: 'sqlite', path: local };
    case 'redis':
    case 'rediss':
      return { kind: 'redis', url: spec };
    default:
      return { kind: scheme };
  }
}
