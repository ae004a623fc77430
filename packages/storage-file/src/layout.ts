// Where the store's files live (the token directory, the default file, each account's own
// file) and how one is read, with the store's errors and mode reports.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAccountKey } from '@hft/auth-core/store';
import { invalidArgument } from '@hft/errors/assert';
import {
  checkDirectory,
  type DirState,
  ensureDirectory,
  type FileSnapshot,
  type ModeTightened,
  readSnapshotSync,
  tempBeside,
} from './file-io.js';
import { classifyFileName, DEFAULT_TOKEN_FILE, LISTING_DIR, namedFileFor } from './file-names.js';
import { describeLooseMode, isWritableByOthers } from './mode-words.js';
import type { FileStoreWarning } from './options.js';
import { asStorageError, type FailureContext } from './store-errors.js';

/** Options of {@link createLayout}. */
export interface LayoutOptions {
  /** The token directory (absolute). */
  dir: string;
  /** Receives the store's warnings. */
  warn(warning: FileStoreWarning): void;
}

/** The paths of one store and the reads of its directory (see {@link createLayout}). */
export type Layout = ReturnType<typeof createLayout>;

const octal = (mode: number) => `0${mode.toString(8)}`;

/** Creates the layout of the token directory `options.dir`. */
export function createLayout(options: LayoutOptions) {
  const { dir } = options;
  const defaultPath = join(dir, DEFAULT_TOKEN_FILE);

  /** Reports a file or directory whose mode was tightened (`mode-tightened`). */
  const tightened: ModeTightened = (path, oldMode, newMode) => {
    const isDir = path === dir;
    const fix = `chmod ${newMode.toString(8)} ${path}`;
    options.warn({
      code: 'mode-tightened',
      message:
        `${path} had mode ${octal(oldMode)} (${describeLooseMode(oldMode) ?? 'not private'}); ` +
        `the store set it to ${octal(newMode)}, as \`${fix}\` would` +
        (isDir && isWritableByOthers(oldMode)
          ? '. Others could have added or replaced token files in it: check them'
          : ''),
      path,
      mode: oldMode,
    });
  };

  /** The path of the own file of `key`: `<dir>/upstox_token.<client>.<user>.json`. */
  function namedPath(key: string): string {
    const parsed = parseAccountKey(key);
    if (!parsed) {
      throw invalidArgument('key', 'an account key upstox:<client_id>:<user_id>');
    }
    return join(dir, namedFileFor(parsed.clientId, parsed.userId));
  }

  /** Whether the directory exists (a loose mode is tightened). @throws StorageError */
  async function dirState(context: FailureContext): Promise<DirState> {
    try {
      return await checkDirectory(dir, tightened);
    } catch (error) {
      throw asStorageError(error, 'use the token directory', dir, context);
    }
  }

  /** Creates the directory (0700) when missing. @throws StorageError */
  async function ensureDir(context: FailureContext): Promise<void> {
    try {
      if ((await checkDirectory(dir, tightened)) === 'present') return;
      await ensureDirectory(dir, tightened);
      // Made with the directory: a first listing that made it would change the directory, and
      // its cache could vouch for the directory only once that change had settled (see
      // summary-cache.ts).
      await ensureDirectory(join(dir, LISTING_DIR), tightened);
    } catch (error) {
      throw asStorageError(error, 'create the token directory', dir, context);
    }
  }

  /**
   * Reads one file, with the signature of what was read; `undefined` when it does not exist.
   * Synchronous: a token file is a few KB, and one open, fstat, read and close cost less than
   * the three thread-pool round trips of the promise API (a third of `hft token`'s read of its
   * record, measured); the async signature keeps callers free to change that.
   * @throws StorageError: `HFT_STORAGE_UNSAFE_FILE` for a link, FIFO, device or oversized file,
   *   `HFT_STORAGE_UNAVAILABLE` for anything else that fails.
   */
  async function read(
    path: string,
    context: FailureContext,
  ): Promise<(FileSnapshot & { signature: string }) | undefined> {
    try {
      return readSnapshotSync(path, { tightened });
    } catch (error) {
      throw asStorageError(error, 'read', path, context);
    }
  }

  /** The names in the directory. @throws StorageError */
  async function entries(context: FailureContext): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      throw asStorageError(error, 'list', dir, context);
    }
  }

  /** Whether the directory holds any token file. @throws StorageError */
  async function hasTokenFiles(context: FailureContext): Promise<boolean> {
    return (await entries(context)).some((name) => classifyFileName(name).kind !== 'other');
  }

  return {
    dir,
    defaultPath,
    tightened,
    namedPath,
    dirState,
    ensureDir,
    read,
    entries,
    hasTokenFiles,
    /** A unique name beside `path` for moving a file out of the way before removing it. */
    asideFor: (path: string) => tempBeside(path, 'del'),
  };
}
