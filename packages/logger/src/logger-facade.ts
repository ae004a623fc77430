import { assertNonEmptyString, assertOptional } from '@hft/errors/assert';
import { type HftLogger, LoggerHandle, type LoggerSource } from './create-logger.js';
import { type CreateLoggerOptions, LoggerCore } from './logger-core.js';
import { Redactor } from './redactor.js';

/** Options of `Logger.setup`: those of `createLogger`, minus the registry (the facade owns it). */
export type LoggerSetupOptions = Omit<CreateLoggerOptions, 'redactor'>;

interface FacadeState {
  root: LoggerCore | undefined;
  fallback: LoggerCore | undefined;
  readonly redactor: Redactor;
  readonly closing: Set<Promise<void>>;
}

const state: FacadeState = {
  root: undefined,
  fallback: undefined,
  redactor: new Redactor(),
  closing: new Set(),
};

// Before setup: like Python's logging "last resort", warnings and errors still reach stderr
// (redacted), while info and debug are dropped. Created on first use, never closed.
function fallbackCore(): LoggerCore {
  state.fallback ??= new LoggerCore({ level: 'warn', console: true, redactor: state.redactor });
  return state.fallback;
}

function retire(core: LoggerCore): void {
  const done = core.close().finally(() => state.closing.delete(done));
  state.closing.add(done);
}

async function closeRoot(): Promise<void> {
  const root = state.root;
  state.root = undefined;
  if (root !== undefined) retire(root);
  await Promise.all([...state.closing]);
}

const source: LoggerSource = {
  core: () => state.root ?? fallbackCore(),
  addSecret: (value) => state.redactor.addSecret(value),
  close: closeRoot,
};

/**
 * The process-wide logger, with the names of the original Python module. Apps call
 * `Logger.setup()` once at start-up; any module may call `Logger.get(name)` at any time, even
 * before setup: the handles it returns always write through the *current* configuration.
 *
 * Before `setup` (and after `close`), entries at `warn` and `error` go to stderr, redacted;
 * `info` and `debug` are dropped. Secrets registered through the facade are kept across
 * reconfiguration.
 */
export const Logger = Object.freeze({
  /**
   * Configures the process-wide logger. Calling it again replaces the configuration: handles
   * from `get` follow the new one, and the old outputs are closed after their pending entries
   * are written (`Logger.close()` waits for that too). `options.secrets` join the facade's
   * registry, which outlives reconfiguration.
   *
   * @returns the root logger (same as `Logger.get()`).
   * @throws InputError / ConfigError as `createLogger` does; the old configuration then stays.
   */
  setup(options: LoggerSetupOptions = {}): HftLogger {
    const core = new LoggerCore({ ...options, redactor: state.redactor });
    const previous = state.root;
    state.root = core;
    if (previous !== undefined) retire(previous);
    return new LoggerHandle(source);
  },

  /**
   * A logger named `name` (or the root's name when omitted) that writes through the current
   * configuration, whenever it is used.
   *
   * @throws InputError when `name` is given and is not a non-empty string.
   */
  get(name?: string): HftLogger {
    assertOptional(name, 'name', assertNonEmptyString);
    return new LoggerHandle(source, undefined, name);
  },

  /**
   * Registers a secret with the process-wide registry (used by every configuration, present
   * and future, and by the pre-setup fallback). `undefined`, `null` and `''` are ignored.
   *
   * @throws InputError when `value` is not a string or is shorter than 4 characters.
   */
  addSecret(value: string | null | undefined): void {
    state.redactor.addSecret(value);
  },

  /** True once `setup` has been called (and `close` has not been called since). */
  isConfigured(): boolean {
    return state.root !== undefined;
  },

  /**
   * Closes the current configuration and waits until every configuration replaced so far is
   * flushed and closed. Afterwards the facade is back to its pre-setup behaviour.
   */
  close(): Promise<void> {
    return closeRoot();
  },
});
