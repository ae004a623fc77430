// The receiver's path is its only secret (Upstox does not sign deliveries), so `hft webhook
// serve` makes an unguessable one the first time and keeps it: the user registers the URL at
// Upstox once and it must survive restarts.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, StorageError } from '@hft/errors';

/** File under `$HFT_HOME` that keeps the generated webhook path (0600). */
export const WEBHOOK_PATH_FILE = 'webhook-path';

const SHAPE = /^\/[A-Za-z0-9._~/-]{16,256}$/;

async function readKept(file: string): Promise<string> {
  const mode = (await stat(file)).mode;
  if ((mode & 0o077) !== 0) {
    throw new StorageError(`${file} is readable by others; run chmod 600 on it (it holds a secret)`, {
      backend: 'file',
      code: ErrorCodes.STORAGE_UNSAFE_FILE,
      details: { backend: 'file', operation: 'get', paths: [file] },
    });
  }
  const path = (await readFile(file, 'utf8')).trim();
  if (!SHAPE.test(path)) {
    throw new StorageError(`${file} does not hold a webhook path; delete it to generate a new one`, {
      backend: 'file',
      code: ErrorCodes.STORAGE_CORRUPT,
      details: { backend: 'file', operation: 'get', paths: [file] },
    });
  }
  return path;
}

/**
 * The secret webhook path kept in `home` (`/upstox/notify/<32 random characters>`), generated
 * and written (temp file 0600, fsync, then linked into place so two first starts agree) when
 * there is none yet.
 * @throws StorageError when the file cannot be read or written, is open to others, or is malformed.
 */
export async function secretWebhookPath(
  home: string,
): Promise<{ path: string; file: string; created: boolean }> {
  const file = join(home, WEBHOOK_PATH_FILE);
  try {
    return { path: await readKept(file), file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(error, file);
  }
  const path = `/upstox/notify/${randomBytes(24).toString('base64url')}`;
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${path}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, file);
    } catch (error) {
      // Another `hft webhook serve` made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        return { path: await readKept(file), file, created: false };
      throw error;
    }
    return { path, file, created: true };
  } catch (error) {
    throw wrap(error, file);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

function wrap(error: unknown, file: string): unknown {
  if (error instanceof StorageError) return error;
  return new StorageError(
    `cannot read or write ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    {
      backend: 'file',
      cause: error,
      details: { backend: 'file', operation: 'open', paths: [file] },
    },
  );
}
