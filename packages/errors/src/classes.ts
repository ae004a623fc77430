import { type ErrorCode, ErrorCodes } from './codes.js';
import { HftError, type HftErrorOptions, isNamedError, nameError } from './hft-error.js';

/** A public function received an argument it cannot use. `details.argument` names it. */
export class InputError extends HftError<{ argument?: string }> {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'InputError');
  }

  constructor(message: string, options: HftErrorOptions<{ argument?: string }> = {}) {
    super(ErrorCodes.INPUT_INVALID, message, options);
    nameError(this, 'InputError');
  }
}

/** One configuration problem: which field, from which source, what was expected. */
export interface ConfigIssue {
  /** Dotted field path, e.g. `credentials.clientId` or `storage`. */
  field: string;
  /** Where the value came from: an env var name, a file path, `options`, `default`. */
  source: string;
  /** What was wrong and what was expected. Never contains the value of a secret. */
  message: string;
}

/** Configuration is missing, unreadable or invalid. `details.issues` lists every problem found. */
export class ConfigError extends HftError<{ issues: readonly ConfigIssue[] }> {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'ConfigError');
  }

  readonly issues: readonly ConfigIssue[];
  constructor(
    message: string,
    options: HftErrorOptions<{ issues: readonly ConfigIssue[] }> & { code?: ErrorCode } = {},
  ) {
    super(options.code ?? ErrorCodes.CONFIG_INVALID, message, options);
    nameError(this, 'ConfigError');
    this.issues = options.details?.issues ?? [];
  }
}

/** Authentication state problem: not logged in, expired, invalidated, state mismatch, spent code... */
export class AuthError extends HftError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'AuthError');
  }

  constructor(code: ErrorCode, message: string, options: HftErrorOptions = {}) {
    super(code, message, options);
    nameError(this, 'AuthError');
  }
}

/** One entry of Upstox's `errors[]` envelope, normalised (snake_case first, camelCase fallback). */
export interface BrokerErrorItem {
  /** Upstox error code, e.g. `UDAPI100050`. */
  code: string;
  /** Upstox's message. */
  message: string;
  /** The request property at fault, when Upstox names one. */
  propertyPath: string | null;
}

/** Details of a {@link BrokerError}. */
export interface BrokerErrorDetails {
  /** HTTP status Upstox answered with. */
  status: number;
  /** First Upstox error code (`UDAPI...`), if the envelope had one. */
  brokerCode?: string;
  /** Method and path called, e.g. `POST /v2/login/authorization/token` (no query, no secrets). */
  endpoint: string;
  /** Every entry of the envelope. `invalid_value` is dropped: it may echo a secret. */
  errors: readonly BrokerErrorItem[];
  /** Seconds from a `Retry-After` header, when present. */
  retryAfterSeconds?: number;
  /** `HFT_BROKER_STATIC_IP`: the address Upstox saw the call come from, when it said so. */
  originIp?: string;
  /** `HFT_BROKER_STATIC_IP`: the user's registered static IPs, when known. */
  registeredIps?: readonly string[];
}

/** Upstox answered with an error (its JSON envelope) or with a 2xx body that failed validation. */
export class BrokerError extends HftError<BrokerErrorDetails> {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'BrokerError');
  }

  /** HTTP status. */
  readonly status: number;
  /** Upstox error code such as `UDAPI100057`, when known. */
  readonly brokerCode: string | undefined;
  /** Method and path, e.g. `GET /v2/user/profile`. */
  readonly endpoint: string;

  constructor(message: string, options: HftErrorOptions<BrokerErrorDetails> & { code?: ErrorCode }) {
    super(options.code ?? ErrorCodes.BROKER_ERROR, message, options);
    nameError(this, 'BrokerError');
    const d = options.details;
    this.status = d?.status ?? 0;
    this.brokerCode = d?.brokerCode;
    this.endpoint = d?.endpoint ?? '';
  }
}

/** The broker could not be reached or did not answer with JSON: timeout, reset, HTML block page. */
export class NetworkError extends HftError<{ endpoint: string; status?: number }> {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'NetworkError');
  }

  /** Method and path, e.g. `POST /v2/login/authorization/token`. */
  readonly endpoint: string;
  constructor(
    code: ErrorCode,
    message: string,
    options: HftErrorOptions<{ endpoint: string; status?: number }>,
  ) {
    super(code, message, options);
    nameError(this, 'NetworkError');
    this.endpoint = options.details?.endpoint ?? '';
  }
}

/** Details of a {@link StorageError}. */
export interface StorageErrorDetails {
  /** Store name, e.g. `file`, `sqlite`, `redis`, `memory`. */
  backend: string;
  /** The operation that failed: `get`, `set`, `delete`, `list`, `lock`, `watch`, `open`. */
  operation?: string;
  /** Account key involved, when any (not secret). */
  key?: string;
  /** Paths involved (file stores), e.g. the corrupt file and where it was moved. */
  paths?: readonly string[];
}

/**
 * A token store failed. Never means "no token": callers must treat it as an outage (fail closed).
 */
export class StorageError extends HftError<StorageErrorDetails> {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isNamedError(value, 'StorageError');
  }

  /** Store name used in every message. */
  readonly backend: string;
  constructor(
    message: string,
    options: HftErrorOptions<StorageErrorDetails> & { code?: ErrorCode; backend: string },
  ) {
    super(options.code ?? ErrorCodes.STORAGE_UNAVAILABLE, message, {
      ...options,
      details: { ...options.details, backend: options.backend },
    });
    nameError(this, 'StorageError');
    this.backend = options.backend;
  }
}
