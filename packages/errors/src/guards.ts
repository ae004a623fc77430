import type { ErrorCode } from './codes.js';
import { type HftError, isCodedError } from './hft-error.js';

/** True when `value` is an {@link HftError} (any subclass). Works across duplicate package copies. */
export function isHftError(value: unknown): value is HftError {
  return isCodedError(value);
}

/** True when `value` is an {@link HftError} carrying `code`. */
export function hasErrorCode(value: unknown, code: ErrorCode): value is HftError {
  return isHftError(value) && value.code === code;
}
