import fs from 'node:fs';
import winston from 'winston';
import { openSecureLogFile } from './secure-file.js';

const MESSAGE = Symbol.for('message');

// winston exports the base class as `Transport` at runtime, but its typings call it `transport`.
const TransportStream = (
  winston as unknown as {
    Transport: new (options?: { format?: winston.Logform.Format }) => winston.transport;
  }
).Transport;

/** Options of {@link SecureFileTransport}. */
export interface SecureFileTransportOptions {
  /** Open descriptor from `openSecureLogFile`; the transport owns it and closes it. */
  fd: number;
  /** Path, for error messages only. */
  path: string;
  /** Line format (sets `info[MESSAGE]`). */
  format: winston.Logform.Format;
  /** Called once with the first write error; later writes are dropped. */
  onError: (error: Error) => void;
  /** Size rotation; default {@link DEFAULT_LOG_ROTATION}. */
  rotation?: LogRotation;
}

/** Size-based rotation of a log file. */
export interface LogRotation {
  /** Size in bytes past which the file is rotated before the next line. `0` turns rotation off. */
  maxBytes: number;
  /**
   * Files kept in all, the live one included: `hft.log`, then `hft.log.1` (newest) to
   * `hft.log.<maxFiles - 1>`; older ones are deleted. At least 1 (then the file is emptied).
   */
  maxFiles: number;
}

/** 10 MiB per file, 5 files: at most about 50 MiB of logs. */
export const DEFAULT_LOG_ROTATION: Readonly<LogRotation> = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxFiles: 5,
});

/**
 * Appends formatted entries to an already opened, 0600 log file. Unlike winston's own File
 * transport it does not open the path itself (so the mode and no-symlink rules hold), and
 * ending it resolves only after every line is written, fsynced and the descriptor closed, which
 * is what `close()` waits for.
 *
 * It rotates by size (winston's File transport would, but it opens paths with the process
 * umask and follows symbolic links): before a line that would take the file past
 * `rotation.maxBytes`, the file is synced and closed, `<file>.1` … are shifted up by one (the
 * oldest deleted), the file becomes `<file>.1` (a rename: it keeps its 0600 mode) and a new
 * file is opened with the same checks as the first. Several processes may share one log file:
 * a process that finds the path already rotated by another (a new inode) just reopens it, so
 * each rotation happens once, and every process writes to the live file again.
 */
export class SecureFileTransport extends TransportStream {
  #file: OpenFile;
  readonly #path: string;
  readonly #onError: (error: Error) => void;
  readonly #rotation: LogRotation;
  #failed = false;
  /** Files rotated away, still finishing the lines handed to them before the rotation. */
  readonly #closing = new Set<Promise<void>>();

  constructor(options: SecureFileTransportOptions) {
    super({ format: options.format });
    this.#path = options.path;
    this.#onError = options.onError;
    this.#rotation = options.rotation ?? DEFAULT_LOG_ROTATION;
    this.#file = this.#open(options.fd);
  }

  #open(fd: number): OpenFile {
    const out = fs.createWriteStream(this.#path, { fd, autoClose: false });
    out.on('error', (error) => this.#fail(error));
    return { fd, out, pending: 0 };
  }

  /** Ends `file`'s stream, then syncs and closes its descriptor. */
  #finish(file: OpenFile): Promise<void> {
    return new Promise((resolve) => {
      const closeFd = () => fs.close(file.fd, () => resolve());
      if (this.#failed || file.out.destroyed) closeFd();
      else file.out.end(() => fs.fsync(file.fd, () => closeFd()));
    });
  }

  /** Rotates first when `bytes` more would take the live file past the limit. */
  #rotateIfFull(bytes: number): void {
    const { maxBytes, maxFiles } = this.#rotation;
    if (maxBytes <= 0) return;
    const current = this.#file;
    const mine = fs.fstatSync(current.fd);
    // winston may hand over several lines before the first is written: count those too.
    const size = mine.size + current.pending;
    if (size === 0 || size + bytes <= maxBytes) return;
    let live: fs.Stats | undefined;
    try {
      live = fs.lstatSync(this.#path);
    } catch {
      live = undefined;
    }
    // Rotated already by another process when the path is another file now: just reopen it.
    if (live !== undefined && live.ino === mine.ino && live.dev === mine.dev) {
      const numbered = (n: number) => `${this.#path}.${n}`;
      const keep = Math.max(1, Math.floor(maxFiles)) - 1;
      if (keep === 0) fs.rmSync(this.#path, { force: true });
      else {
        fs.rmSync(numbered(keep), { force: true });
        for (let n = keep - 1; n >= 1; n -= 1) renameIfThere(numbered(n), numbered(n + 1));
        renameIfThere(this.#path, numbered(1));
      }
    }
    // Lines already handed to the old file still land there (renamed, it is the newest rotated
    // file): it is closed once they are written.
    this.#file = this.#open(openSecureLogFile(this.#path));
    const closing = this.#finish(current);
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#onError(new Error(`Writing log file ${this.#path} failed: ${error.message}`, { cause: error }));
  }

  override log(info: Record<symbol, unknown>, next: () => void): void {
    if (this.#failed) {
      next();
      return;
    }
    const line = `${String(info[MESSAGE])}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      this.#rotateIfFull(bytes);
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      next();
      return;
    }
    const file = this.#file;
    file.pending += bytes;
    // Waiting for the write callback gives winston real backpressure from the disk.
    file.out.write(line, (error) => {
      file.pending -= bytes;
      if (error) this.#fail(error);
      next();
    });
  }

  override _final(done: (error?: Error | null) => void): void {
    void Promise.all([...this.#closing, this.#finish(this.#file)]).then(() => done());
  }
}

interface OpenFile {
  fd: number;
  out: fs.WriteStream;
  /** Bytes handed to `out` and not written yet. */
  pending: number;
}

/** Renames `from` to `to`; a `from` that is not there (another process moved it) is no error. */
function renameIfThere(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
}
