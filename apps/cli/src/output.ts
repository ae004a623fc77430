import { writeSync } from 'node:fs';

/**
 * Where the CLI writes. stdout carries only a command's result (a token, JSON, a table);
 * progress, prompts, warnings and errors go to stderr.
 */
export interface Output {
  /** A line of the command's result on stdout. */
  out(line: string): void;
  /** A JSON document on stdout. */
  json(value: unknown): void;
  /** A human message on stderr. */
  note(line: string): void;
  /** Whether stderr is a terminal (progress lines may redraw). */
  readonly interactive: boolean;
  /** Whether colour may be used on stdout. */
  readonly color: boolean;
}

/**
 * Writes `text` to file descriptor `fd` directly. `process.stdout` / `process.stderr` are only
 * created when needed (a pipe's stream costs a few ms of start-up, which `hft token` is measured
 * on); a descriptor that would block (a non-blocking pipe that is full) gets the rest through
 * the stream, which waits for it.
 */
export function writeFd(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') closedPipe();
    if (code !== 'EAGAIN') throw error;
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(written));
  }
}

/**
 * The reader went away (`hft config | head -1`): nothing more can be said to it, and that is
 * not a failure of the command. Ends at once with exit 0, without a message or a stack.
 */
function closedPipe(): never {
  process.exit(0);
}

/** Makes an EPIPE on the stdio streams (writes that went through them) end quietly too. */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') closedPipe();
      throw error;
    });
  }
}

/** The process's real stdout/stderr. */
export function processOutput(): Output {
  return {
    out: (line) => writeFd(1, `${line}\n`),
    json: (value) => writeFd(1, `${JSON.stringify(value, null, 2)}\n`),
    note: (line) => writeFd(2, `${line}\n`),
    get interactive() {
      return Boolean(process.stderr.isTTY);
    },
    get color() {
      return Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
    },
  };
}
