// Moving corrupt token files aside (`<name>.corrupt-<timestamp>`) so the next save can write a
// fresh one, and the errors that say where they went.
import { lstat } from 'node:fs/promises';
import { ErrorCodes } from '@hft/errors';
import type { Clock } from '@hft/time/core';
import { FileChanged } from './file-changed.js';
import { detachIfSame, type FileSnapshot, fsyncDir } from './file-io.js';
import { corruptSuffix } from './file-names.js';
import { type FailureContext, storageError } from './store-errors.js';

/** Options of {@link createQuarantine}. */
export interface QuarantineOptions {
  /** The token directory. */
  dir: string;
  /** Time stamps the moved-aside names. */
  clock: Clock;
}

/** Moves corrupt files aside (see {@link createQuarantine}). */
export type Quarantine = ReturnType<typeof createQuarantine>;

/** Creates the quarantine of one store. */
export function createQuarantine(options: QuarantineOptions) {
  const { dir, clock } = options;

  async function asideName(path: string): Promise<string> {
    const base = `${path}.${corruptSuffix(clock.now())}`;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      try {
        await lstat(candidate);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return candidate;
        throw error;
      }
    }
  }

  /**
   * Moves a corrupt file to `<name>.corrupt-<timestamp>` (only if it is still the file that was
   * read) and returns the new path. @throws FileChanged when another writer replaced it.
   */
  async function moveAside(snapshot: FileSnapshot, why: string, context: FailureContext): Promise<string> {
    let aside = `${snapshot.path}.corrupt-*`;
    try {
      aside = await asideName(snapshot.path);
      const outcome = await detachIfSame(snapshot, aside);
      if (outcome !== 'detached') throw new FileChanged();
      await fsyncDir(dir);
      return aside;
    } catch (error) {
      if (error instanceof FileChanged) throw error;
      const code = (error as { code?: string }).code ?? String(error);
      throw storageError(
        `${snapshot.path} is corrupt (${why}) and could not be moved aside to ${aside} (${code})`,
        { ...context, paths: [snapshot.path, aside] },
        { code: ErrorCodes.STORAGE_CORRUPT, cause: error },
      );
    }
  }

  /** Moves a corrupt file aside and returns the `HFT_STORAGE_CORRUPT` error to throw. */
  async function corrupt(snapshot: FileSnapshot, cause: unknown, context: FailureContext): Promise<Error> {
    const why = cause instanceof Error ? cause.message : String(cause);
    const aside = await moveAside(snapshot, why, context);
    return storageError(
      `${snapshot.path} is corrupt (${why}); moved it to ${aside}. The next save writes a fresh file`,
      { ...context, paths: [snapshot.path, aside] },
      { code: ErrorCodes.STORAGE_CORRUPT, cause },
    );
  }

  return { moveAside, corrupt };
}
