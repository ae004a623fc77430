// The file-system steps of the store: safe reads (no links, no FIFOs, capped size), atomic
// durable writes, exclusive creation, moving a file aside, directory checks.
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { chmod, type FileHandle, link, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode, UnsafeFile } from './store-errors.js';

/** Mode of every file the store writes. */
export const FILE_MODE = 0o600;
/** Mode of every directory the store creates. */
export const DIR_MODE = 0o700;

/** Called when a file or directory had a looser mode than ours and was tightened. */
export type ModeTightened = (path: string, oldMode: number, newMode: number) => void;

/** One file as read: its text and the identity (device + inode) of what was read. */
export interface FileSnapshot {
  path: string;
  text: string;
  dev: number;
  ino: number;
}

/** Largest token or lock file the store reads, in bytes (1 MiB); a bigger one is refused. */
export const MAX_FILE_BYTES = 1024 * 1024;

// O_NOFOLLOW: a symbolic link at the path is refused, never read through (nor its target
// chmodded). O_NONBLOCK: a FIFO opens at once instead of waiting forever for a writer; it has
// no effect on regular files.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function openFailure(error: unknown, path: string): unknown {
  const code = errnoCode(error);
  // ELOOP (Linux, macOS) or EMLINK (FreeBSD): O_NOFOLLOW met a link as the last component.
  return code === 'ELOOP' || code === 'EMLINK' ? new UnsafeFile(path, 'a symbolic link') : error;
}

/** Throws unless `stats` is a regular file of at most {@link MAX_FILE_BYTES}. */
function checkReadable(stats: Stats, path: string, maxBytes = MAX_FILE_BYTES): void {
  // A directory stays a plain "cannot read" failure (EISDIR), as it always was.
  if (stats.isDirectory())
    throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EISDIR' });
  if (!stats.isFile()) {
    const what = stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isSocket()
        ? 'a socket'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
    throw new UnsafeFile(path, what);
  }
  if (stats.size > maxBytes) throw new UnsafeFile(path, `${stats.size} bytes long`);
}

/** What tells one version of a file from another without reading it: device, inode, size, times. */
export function fileSignature(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** Options of {@link readSnapshotSync}. */
export interface SyncReadOptions {
  /** Tightens (and reports) a group/world accessible file; without it the mode is left alone. */
  tightened?: ModeTightened;
  /** Largest size read, in bytes; default {@link MAX_FILE_BYTES}. */
  maxBytes?: number;
}

/**
 * Reads a whole file, with the {@link fileSignature} of what was read; `undefined` only when it
 * does not exist (`ENOENT`). With `tightened`, a group/world accessible file is tightened to
 * 0600 through the open descriptor and reported. Synchronous: one open, fstat, read and close,
 * no thread-pool round trips (about a tenth of the cost for a small file, measured).
 * @throws UnsafeFile for a symbolic link, anything but a regular file, or a file over
 *   `maxBytes`; the system error for any other failure.
 */
export function readSnapshotSync(
  path: string,
  options: SyncReadOptions = {},
): (FileSnapshot & { signature: string }) | undefined {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw openFailure(error, path);
  }
  try {
    let stats = fstatSync(fd);
    checkReadable(stats, path, maxBytes);
    const mode = stats.mode & 0o777;
    if (options.tightened && (mode & 0o077) !== 0) {
      fchmodSync(fd, FILE_MODE);
      options.tightened(path, mode, FILE_MODE);
      stats = fstatSync(fd);
    }
    // One read of the size just learnt. One byte more notices a file that grew meanwhile (only
    // an in-place edit does that; writers replace files whole), and then reads it all.
    const buffer = Buffer.allocUnsafe(stats.size + 1);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
    const text =
      bytesRead > stats.size ? readCapped(fd, path, maxBytes) : buffer.toString('utf8', 0, bytesRead);
    return { path, text, dev: stats.dev, ino: stats.ino, signature: fileSignature(stats) };
  } finally {
    closeSync(fd);
  }
}

/** Reads a file that grew while being read, up to `maxBytes`. */
function readCapped(fd: number, path: string, maxBytes: number): string {
  const buffer = Buffer.allocUnsafe(maxBytes + 1);
  let total = 0;
  for (;;) {
    const bytesRead = readSync(fd, buffer, total, buffer.length - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw new UnsafeFile(path, `over ${maxBytes} bytes long`);
  }
  return buffer.toString('utf8', 0, total);
}

/**
 * {@link readSnapshotSync} without touching the mode: the text of `path`, or `undefined` when it
 * does not exist. @throws the same errors.
 */
export function readTextSync(path: string): string | undefined {
  return readSnapshotSync(path)?.text;
}

/** Flushes a directory's entries (the rename of a file into it) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot open or fsync a directory; the rename itself stays atomic there.
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** What identifies a file this process wrote: an in-place change alters size or mtime. */
export interface WrittenFile {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * Replaces `path` atomically with `text`: a temp file beside it (created exclusively, mode
 * 0600) is written and fsynced, renamed over `path`, and the directory is fsynced so the rename
 * itself survives a power cut. Resolves with the identity of the new file.
 *
 * Written here rather than with write-file-atomic: that one also resolves the real path,
 * stats, chowns and chmods on every write (about twice the system calls), and the store already
 * sets the mode at creation and never follows links.
 */
export async function writeReplacing(path: string, text: string): Promise<WrittenFile> {
  const temp = tempBeside(path, 'tmp');
  let identity: WrittenFile;
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
      const stats = await handle.stat();
      identity = { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncDir(dirname(path));
  return identity;
}

/** A temp file name beside `path` that no other writer uses. */
export function tempBeside(path: string, tag: string): string {
  // node:crypto is loaded here rather than imported: loading it costs a few ms of start-up,
  // and a short command that only reads a plain record (`hft token`) never needs it.
  return `${path}.${tag}-${process.pid}-${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}`;
}

/**
 * Writes a complete 0600 file at a temp path, then publishes it at `path` only if nothing is
 * there yet (`link` never replaces). Returns `false` when `path` already existed.
 */
export async function createExclusive(
  path: string,
  text: string,
  options: { durable: boolean },
): Promise<boolean> {
  const temp = tempBeside(path, 'new');
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    try {
      await handle.chmod(FILE_MODE);
      await handle.writeFile(text, 'utf8');
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false;
      throw error;
    }
    if (options.durable) await fsyncDir(dirname(path));
    return true;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** Outcome of {@link detachIfSame}. */
export type Detached = 'detached' | 'changed' | 'gone';

/**
 * Moves `snapshot.path` to `aside`, but only if it is still the very file that was read (same
 * device and inode): a file replaced in the meantime by another writer is put back where it
 * was. `gone` when the file had already disappeared.
 */
export async function detachIfSame(snapshot: FileSnapshot, aside: string): Promise<Detached> {
  try {
    await rename(snapshot.path, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'gone';
    throw error;
  }
  const moved = await lstat(aside);
  if (moved.dev === snapshot.dev && moved.ino === snapshot.ino) return 'detached';
  // We moved a newer file than the one we judged. Put it back unless an even newer one is
  // already in place (then ours was superseded anyway).
  await link(aside, snapshot.path).catch((error: unknown) => {
    if (errnoCode(error) !== 'EEXIST') throw error;
  });
  await unlink(aside);
  return 'changed';
}

/** Whether a directory exists (`present`) or not (`missing`) after {@link checkDirectory}. */
export type DirState = 'present' | 'missing';

/**
 * Checks that `dir` is a directory and tightens a looser mode to 0700 (reported). `missing` when
 * it does not exist; throws the system error for anything else, and `ENOTDIR` when the path is
 * not a directory.
 */
export async function checkDirectory(dir: string, tightened: ModeTightened): Promise<DirState> {
  // Synchronous, as the reads: every get and listing checks the directory first, and a stat
  // costs less than its thread-pool round trip.
  let stats: Stats;
  try {
    stats = statSync(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'missing';
    throw error;
  }
  if (!stats.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    chmodSync(dir, DIR_MODE);
    tightened(dir, mode, DIR_MODE);
  }
  return 'present';
}

/** Creates `dir` (and missing parents) with mode 0700 when it is missing, then checks it. */
export async function ensureDirectory(dir: string, tightened: ModeTightened): Promise<void> {
  if ((await checkDirectory(dir, tightened)) === 'present') return;
  const created = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  // mkdir applies the umask; set the exact mode on what we created.
  if (created !== undefined) await chmod(dir, DIR_MODE);
  await checkDirectory(dir, tightened);
}
