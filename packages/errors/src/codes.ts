/**
 * Stable error codes. Scripts and callers branch on these strings, so a code is never renamed
 * once released; new codes may be added.
 */
export const ErrorCodes = {
  /** Bad argument passed to a public function (wrong type, NaN, invalid date...). */
  INPUT_INVALID: 'HFT_INPUT_INVALID',

  /** Configuration failed validation; `details.issues` lists every problem. */
  CONFIG_INVALID: 'HFT_CONFIG_INVALID',
  /** A required setting (for example the client secret) is missing. */
  CONFIG_MISSING: 'HFT_CONFIG_MISSING',
  /** A config or credentials file exists but cannot be read or parsed. */
  CONFIG_FILE: 'HFT_CONFIG_FILE',

  /** No token is stored for the account. */
  AUTH_NOT_AUTHENTICATED: 'HFT_AUTH_NOT_AUTHENTICATED',
  /** The stored token is past its expiry (03:30 IST rule or JWT `exp`). */
  AUTH_EXPIRED: 'HFT_AUTH_EXPIRED',
  /** The broker rejected the token (401 `UDAPI100050`) or it was logged out. */
  AUTH_INVALIDATED: 'HFT_AUTH_INVALIDATED',
  /** The OAuth `state` on the callback does not match the one sent. */
  AUTH_STATE_MISMATCH: 'HFT_AUTH_STATE_MISMATCH',
  /** An authorization code was already sent to the broker once (single use). */
  AUTH_CODE_ALREADY_USED: 'HFT_AUTH_CODE_ALREADY_USED',
  /** The callback URL carries an error, or no code. */
  AUTH_CALLBACK_INVALID: 'HFT_AUTH_CALLBACK_INVALID',
  /** A token or delivery belongs to another client or user than expected. */
  AUTH_ACCOUNT_MISMATCH: 'HFT_AUTH_ACCOUNT_MISMATCH',
  /** Several accounts are stored and none was chosen (`--account NAME`). */
  AUTH_ACCOUNT_AMBIGUOUS: 'HFT_AUTH_ACCOUNT_AMBIGUOUS',
  /** Waiting for a login or approval ran out of time. */
  AUTH_TIMEOUT: 'HFT_AUTH_TIMEOUT',
  /** A token issued no later than the stored one was refused: a daily token is only replaced by a newer one. */
  AUTH_STALE_TOKEN: 'HFT_AUTH_STALE_TOKEN',
  /** The token kind sent may not call this API (Upstox `UDAPI100067`, or a rule known in advance). */
  AUTH_WRONG_TOKEN_KIND: 'HFT_AUTH_WRONG_TOKEN_KIND',

  /** Upstox answered with its error envelope; see `status` and `brokerCode`. */
  BROKER_ERROR: 'HFT_BROKER_ERROR',
  /** Upstox answered 429 / `UDAPI10005`. */
  BROKER_RATE_LIMITED: 'HFT_BROKER_RATE_LIMITED',
  /** Upstox answered 2xx but the body failed validation (a field missing or of the wrong type). */
  BROKER_INVALID_RESPONSE: 'HFT_BROKER_INVALID_RESPONSE',
  /** An order call came from an IP that is not one of the user's registered static IPs (`UDAPI1154`). */
  BROKER_STATIC_IP: 'HFT_BROKER_STATIC_IP',

  /** No response in time. */
  NETWORK_TIMEOUT: 'HFT_NETWORK_TIMEOUT',
  /** Connection refused, reset or DNS failure. */
  NETWORK_UNREACHABLE: 'HFT_NETWORK_UNREACHABLE',
  /** A response that is not Upstox JSON (an HTML block page, a proxy error). */
  NETWORK_NON_JSON: 'HFT_NETWORK_NON_JSON',

  /** The store could not be reached or an operation on it failed. */
  STORAGE_UNAVAILABLE: 'HFT_STORAGE_UNAVAILABLE',
  /** A stored record cannot be parsed; it was moved aside where the backend can. */
  STORAGE_CORRUPT: 'HFT_STORAGE_CORRUPT',
  /** A lock could not be taken within the allowed time. */
  STORAGE_LOCK_TIMEOUT: 'HFT_STORAGE_LOCK_TIMEOUT',
  /** An encrypted record could not be decrypted with the configured key (wrong key). */
  STORAGE_WRONG_KEY: 'HFT_STORAGE_WRONG_KEY',
  /** An encrypted record failed authentication (it was altered). */
  STORAGE_TAMPERED: 'HFT_STORAGE_TAMPERED',
  /** The storage package selected in config is not installed. */
  STORAGE_PACKAGE_MISSING: 'HFT_STORAGE_PACKAGE_MISSING',
  /** A store path is not a regular file (a symlink, FIFO, directory...) or is larger than a record may be. */
  STORAGE_UNSAFE_FILE: 'HFT_STORAGE_UNSAFE_FILE',
  /** A plaintext record was found where an encryption key is configured; it is not served. */
  STORAGE_UNSEALED: 'HFT_STORAGE_UNSEALED',
} as const;

/** Union of every stable error code string. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
