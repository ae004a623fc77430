import type { ErrorCode } from './codes.js';

/** Options shared by every error constructor. */
export interface HftErrorOptions<D extends object = Record<string, unknown>> {
  /** The underlying error (kept on `cause`, shown by `--verbose`). */
  cause?: unknown;
  /** Structured, secret-free extra data. Non-enumerable so logs and JSON never spill it by accident. */
  details?: D;
}

function defineHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true });
}

/**
 * Base class of every error thrown by @hft packages.
 *
 * - `code` is a stable string (see {@link ErrorCodes}); branch on it, not on the message.
 * - `message` names the field or input at fault and never contains a secret.
 * - `cause` and `details` are non-enumerable: `JSON.stringify(err)` gives `{ name, code, message }`.
 */
export class HftError<D extends object = Record<string, unknown>> extends Error {
  /** Stable machine-readable code, e.g. `HFT_AUTH_EXPIRED`. */
  readonly code: ErrorCode;
  /** Structured extra data (non-enumerable). */
  declare readonly details: D;

  constructor(code: ErrorCode, message: string, options: HftErrorOptions<D> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    defineHidden(this, 'name', 'HftError');
    defineHidden(this, 'details', Object.freeze({ ...(options.details ?? {}) }));
  }

  /**
   * `instanceof HftError` is true for coded errors from any copy of this package (a bundled CLI
   * and a separately installed storage backend each carry one): identity of the class object is
   * not what callers mean.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isCodedError(value);
  }

  /** Plain, secret-free representation: name, code and message only. */
  toJSON(): { name: string; code: ErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Sets the class name as a non-enumerable own property (survives bundlers that rename classes). */
export function nameError(error: Error, name: string): void {
  defineHidden(error, 'name', name);
}

/** An Error carrying an `HFT_` code (from any copy of this package). */
export function isCodedError(value: unknown): value is HftError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('HFT_');
}

/** `instanceof` for a named subclass: a coded error whose `name` is `name`, from any package copy. */
export function isNamedError(value: unknown, name: string): boolean {
  return isCodedError(value) && value.name === name;
}
