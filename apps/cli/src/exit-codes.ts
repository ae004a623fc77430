import { ErrorCodes, isHftError } from '@hft/errors';

/** The exit codes scripts can rely on (documented in the README's CLI reference). */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** It failed; the reason is on stderr. */
  FAILURE: 1,
  /** The command line was wrong (unknown option, bad value). */
  USAGE: 2,
  /** No valid token: not logged in, expired, or rejected by Upstox. */
  NOT_AUTHENTICATED: 3,
} as const;

/** Error codes that mean "log in first": exit 3. */
const NOT_AUTHENTICATED_CODES = new Set<string>([
  ErrorCodes.AUTH_NOT_AUTHENTICATED,
  ErrorCodes.AUTH_EXPIRED,
  ErrorCodes.AUTH_INVALIDATED,
]);

/** Maps any error to its exit code: the one place where errors become exit codes. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.USAGE;
  if (isHftError(error)) {
    if (error.code === ErrorCodes.INPUT_INVALID) return ExitCode.USAGE;
    if (NOT_AUTHENTICATED_CODES.has(error.code)) return ExitCode.NOT_AUTHENTICATED;
  }
  return ExitCode.FAILURE;
}

/** A command-line mistake (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure a command already explained on stderr; only its exit code remains to be used. */
export class ReportedFailure extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ReportedFailure';
  }
}

/**
 * An error reported as usual (message, hint, cause) but ending with `exitCode` rather than the
 * one its class maps to: a token refused by `hft token import` is exit 1 ("the check failed"),
 * although the same refusal elsewhere means "log in" (3).
 */
export class WithExitCode extends Error {
  constructor(
    readonly error: unknown,
    readonly exitCode: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'WithExitCode';
  }
}
