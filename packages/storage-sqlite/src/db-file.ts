import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Mode of the database file and of the `-wal` / `-shm` files beside it. */
export const FILE_MODE = 0o600;
/** Mode of a directory created for the database. */
export const DIR_MODE = 0o700;

/**
 * Makes sure the database file exists with mode 0600 before any SQLite connection opens it
 * (SQLite would create it with the umask's default, usually 0644), creating missing directories
 * with mode 0700. An existing directory keeps its mode: it may be shared with other files.
 * Synchronous so that the store factory can stay synchronous; it runs once per store.
 * @throws the file system error (`EISDIR` when `file` is a directory, `EACCES`...).
 */
export function prepareDatabaseFile(file: string): void {
  const directory = dirname(file);
  if (!existsSync(directory)) {
    mkdirSync(directory, { recursive: true, mode: DIR_MODE });
    chmodSync(directory, DIR_MODE);
  }
  // 'a' creates without truncating; an existing database is left as it is.
  const fd = openSync(file, 'a', FILE_MODE);
  try {
    fchmodSync(fd, FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/**
 * Sets mode 0600 on the `-wal` and `-shm` files of `file` when they exist. SQLite creates them
 * with the mode of the database file; this only tightens ones left by an older, looser setup.
 */
export async function tightenSidecarFiles(file: string): Promise<void> {
  for (const suffix of ['-wal', '-shm']) {
    try {
      await chmod(file + suffix, FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
