import fs from 'node:fs';
import winston from 'winston';

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
}

/**
 * Appends formatted entries to an already opened, 0600 log file. Unlike winston's own File
 * transport it does not open the path itself (so the mode and no-symlink rules hold), and
 * ending it resolves only after every line is written, fsynced and the descriptor closed, which
 * is what `close()` waits for.
 */
export class SecureFileTransport extends TransportStream {
  readonly #fd: number;
  readonly #path: string;
  readonly #out: fs.WriteStream;
  readonly #onError: (error: Error) => void;
  #failed = false;

  constructor(options: SecureFileTransportOptions) {
    super({ format: options.format });
    this.#fd = options.fd;
    this.#path = options.path;
    this.#onError = options.onError;
    this.#out = fs.createWriteStream(options.path, { fd: options.fd, autoClose: false });
    this.#out.on('error', (error) => this.#fail(error));
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
    // Waiting for the write callback gives winston real backpressure from the disk.
    this.#out.write(`${String(info[MESSAGE])}\n`, (error) => {
      if (error) this.#fail(error);
      next();
    });
  }

  override _final(done: (error?: Error | null) => void): void {
    const closeFd = () => {
      fs.close(this.#fd, () => done());
    };
    if (this.#failed || this.#out.destroyed) {
      closeFd();
      return;
    }
    this.#out.end(() => {
      fs.fsync(this.#fd, () => closeFd());
    });
  }
}
