export {
  AuthError,
  BrokerError,
  type BrokerErrorDetails,
  type BrokerErrorItem,
  ConfigError,
  type ConfigIssue,
  InputError,
  NetworkError,
  StorageError,
  type StorageErrorDetails,
} from './classes.js';
export { type ErrorCode, ErrorCodes } from './codes.js';
export { hasErrorCode, isHftError } from './guards.js';
export { HftError, type HftErrorOptions } from './hft-error.js';
