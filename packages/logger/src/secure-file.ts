import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@hft/errors';

/** Mode of a log file: owner read/write only. */
export const LOG_FILE_MODE = 0o600;
/** Mode of a log directory this package creates: owner only. */
export const LOG_DIR_MODE = 0o700;

function fail(file: string, reason: string, cause?: unknown): never {
  const message = `Log file ${file} cannot be used: ${reason}`;
  throw new ConfigError(message, {
    cause,
    details: { issues: [{ field: 'file', source: 'options', message: reason }] },
  });
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

// mkdir's mode is filtered by the umask, so every directory we created is set explicitly.
function createDirectories(dir: string, file: string): void {
  let first: string | undefined;
  try {
    first = fs.mkdirSync(dir, { recursive: true, mode: LOG_DIR_MODE });
  } catch (error) {
    fail(file, `its directory cannot be created (${describe(error)})`, error);
  }
  if (first === undefined) return;
  const created: string[] = [];
  for (let d = dir; d.length >= first.length; d = path.dirname(d)) {
    created.push(d);
    if (d === first) break;
  }
  for (const d of created) fs.chmodSync(d, LOG_DIR_MODE);
}

// Checked before opening too: opening a FIFO for writing would block until a reader appears.
function refuseNonRegular(target: string, file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch {
    return; // Missing: it is created below.
  }
  if (stat.isSymbolicLink()) fail(file, 'it is a symbolic link');
  if (!stat.isFile()) fail(file, 'it is not a regular file');
}

/**
 * Opens `file` for appending and returns the descriptor. Missing directories are created with
 * mode 0700 (existing directories are left as they are: they may be shared, like `/tmp` or a
 * home directory). The file is created with mode 0600, and an existing file with any other mode
 * (such as 0644) is set to 0600. A symbolic link or anything but a regular file is refused.
 *
 * @throws ConfigError (`HFT_CONFIG_INVALID`, issue field `file`) when the directory cannot be
 *   created, the file cannot be opened or its mode cannot be set (e.g. owned by another user).
 */
export function openSecureLogFile(file: string): number {
  const target = path.resolve(file);
  createDirectories(path.dirname(target), file);
  refuseNonRegular(target, file);
  const flags =
    fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0);
  let fd: number;
  try {
    fd = fs.openSync(target, flags, LOG_FILE_MODE);
  } catch (error) {
    const code = describe(error);
    fail(file, code === 'ELOOP' ? 'it is a symbolic link' : `it cannot be opened (${code})`, error);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) fail(file, 'it is not a regular file');
    if ((stat.mode & 0o777) !== LOG_FILE_MODE) {
      try {
        fs.fchmodSync(fd, LOG_FILE_MODE);
      } catch (error) {
        fail(file, `its mode cannot be set to 0600 (${describe(error)})`, error);
      }
    }
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}
