// Removing the temp files of writers that were killed mid-write: they may hold a token.
import { lstat, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { processGone } from './process-liveness.js';

/** A temp file beside a token file (it may hold a token); group 1 is its writer's pid. */
const ORPHAN = /^upstox_token(?:\..+)?\.json\.(?:\d+|(?:tmp|new|del)-(\d+)-[0-9a-f]+)$/;
/**
 * Age after which a temp file is removed even though its writer may live, in ms: a write
 * creates, fills, fsyncs and renames its temp file within a fraction of that.
 */
const ORPHAN_AGE_MS = 5_000;

/**
 * Removes from `dir` the temp files left by writers that were killed mid-write: those whose
 * writer pid is gone, and any older than {@link ORPHAN_AGE_MS}. `reference` is a file just
 * written (its path, or its mtime in ms when the writer already knows it), whose mtime stands
 * for "now" on the file system's own clock. A temp file
 * of a live concurrent writer is young and its pid alive, so it is left alone. Never throws:
 * this is housekeeping after a write that already succeeded.
 */
export async function sweepOrphans(dir: string, reference: string | number): Promise<void> {
  try {
    const now = typeof reference === 'number' ? reference : (await stat(reference)).mtimeMs;
    for (const name of await readdir(dir)) {
      const match = ORPHAN.exec(name);
      if (!match) continue;
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      const writerGone = match[1] !== undefined && processGone(Number(match[1]));
      if (writerGone || now - info.mtimeMs > ORPHAN_AGE_MS) await unlink(path).catch(() => {});
    }
  } catch {
    // Housekeeping only: the write it follows already succeeded.
  }
}
