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

/** The process's real stdout/stderr. */
export function processOutput(): Output {
  const interactive = Boolean(process.stderr.isTTY);
  const color = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (line) => process.stderr.write(`${line}\n`),
    interactive,
    color,
  };
}
