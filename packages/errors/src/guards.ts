import type { ErrorCode } from './codes.js';
import { HftError } from './hft-error.js';

/** True when `value` is an {@link HftError} (any subclass). Works across duplicate package copies. */
export function isHftError(value: unknown): value is HftError {
  if (value instanceof HftError) return true;
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('HFT_');
}

/** True when `value` is an {@link HftError} carrying `code`. */
export function hasErrorCode(value: unknown, code: ErrorCode): value is HftError {
  return isHftError(value) && value.code === code;
}
