import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** Config and credentials files are small; anything bigger is a mistake, not a config. */
const MAX_BYTES = 1024 * 1024;

/** Outcome of {@link readSettingsFile}. */
export type SettingsFileRead =
  | { status: 'missing' }
  | { status: 'unreadable'; message: string }
  | { status: 'ok'; text: string; mode: number };

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return `cannot be read: permission denied (${code})`;
  return `cannot be read${typeof code === 'string' ? ` (${code})` : ''}`;
}

/**
 * Reads a small UTF-8 settings file through one file handle, so the mode checked is the mode of
 * the file read. Opens non-blocking so that a FIFO at the path cannot hang the load.
 *
 * @param path absolute path
 * @returns `missing` (ENOENT/ENOTDIR), `unreadable` with a message (no path in it), or the text
 *   and permission bits
 */
export async function readSettingsFile(path: string): Promise<SettingsFileRead> {
  // Synchronous calls: the files are small (or absent), and one open, fstat and read cost less
  // than a thread-pool round trip each (every command reads up to three of them at start-up).
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    return { status: 'unreadable', message: describeFsError(error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { status: 'unreadable', message: 'is not a regular file' };
    if (stats.size > MAX_BYTES) return { status: 'unreadable', message: 'is larger than 1 MiB' };
    const text = readFileSync(fd, { encoding: 'utf8' });
    return { status: 'ok', text, mode: stats.mode & 0o777 };
  } catch (error) {
    return { status: 'unreadable', message: describeFsError(error) };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing was written through it.
    }
  }
}
