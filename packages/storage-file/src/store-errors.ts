// The store's errors: StorageError of the file backend, with the operation, key and paths concerned.
import { type ErrorCode, ErrorCodes, isHftError, StorageError } from '@hft/errors';

/** Backend name of this store, used in every error message. */
export const BACKEND = 'file';

/** What a failed operation was doing, for error details. */
export interface FailureContext {
  operation: string;
  key?: string | undefined;
  paths?: readonly string[];
}

/** Builds a `StorageError` of the file backend; the message is prefixed with `file store:`. */
export function storageError(
  message: string,
  context: FailureContext,
  options: { code?: ErrorCode; cause?: unknown } = {},
): StorageError {
  return new StorageError(`${BACKEND} store: ${message}`, {
    backend: BACKEND,
    ...(options.code === undefined ? {} : { code: options.code }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    details: {
      backend: BACKEND,
      operation: context.operation,
      ...(context.key === undefined ? {} : { key: context.key }),
      ...(context.paths === undefined ? {} : { paths: context.paths }),
    },
  });
}

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`...), if it is one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Thrown by the file readers for a path that is not a plain, reasonably sized file (a symbolic
 * link, a FIFO, a device, a socket, an oversized file); {@link asStorageError} turns it into
 * `HFT_STORAGE_UNSAFE_FILE` with the operation's context.
 */
export class UnsafeFile extends Error {
  /**
   * @param path the refused path.
   * @param reason what it is, e.g. `a symbolic link` (completes "`path` is ...").
   */
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} is ${reason}`);
  }
}

/**
 * Wraps any failure of a file-system call as `StorageError` (`HFT_STORAGE_UNAVAILABLE`) naming
 * the path and the system error code; an {@link UnsafeFile} becomes `HFT_STORAGE_UNSAFE_FILE`;
 * `HftError`s pass through unchanged.
 */
export function asStorageError(error: unknown, what: string, path: string, context: FailureContext): Error {
  if (isHftError(error)) return error;
  if (error instanceof UnsafeFile) {
    return storageError(
      `refusing ${error.path}: it is ${error.reason}, not a token file (the store reads only regular files of at most 1 MiB, never through a symbolic link); replace it with a regular file or remove it`,
      { ...context, paths: [error.path] },
      { code: ErrorCodes.STORAGE_UNSAFE_FILE },
    );
  }
  const code = errnoCode(error) ?? (error instanceof Error ? error.message : String(error));
  return storageError(
    `cannot ${what} ${path} (${code})`,
    { ...context, paths: [path] },
    {
      code: ErrorCodes.STORAGE_UNAVAILABLE,
      cause: error,
    },
  );
}
