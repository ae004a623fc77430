/**
 * Key names whose values are always secret, written in snake_case. Matching ignores case and the
 * separators `_`, `-`, `.` and spaces, so `client_secret`, `clientSecret`, `Client-Secret` and
 * `CLIENTSECRET` are the same key.
 *
 * Exact names match only themselves; suffixes also match any key that ends with them
 * (`upstox_access_token`, `dbPassword`, `x-api-key`).
 *
 * Not secret on purpose: `client_id` (Upstox calls it the "API key", but it is public and
 * appears in the login URL), `user_id`, `redirect_uri`, `state`, `token_type`, `expires_at`.
 */
export const SECRET_KEY_NAMES: Readonly<{ exact: readonly string[]; suffixes: readonly string[] }> =
  Object.freeze({
    exact: Object.freeze([
      'code',
      'authorization',
      'proxy_authorization',
      'cookie',
      'set_cookie',
      'jwt',
      'pin',
      'otp',
      'totp',
    ]),
    suffixes: Object.freeze([
      'token',
      'tokens',
      'secret',
      'secrets',
      'password',
      'passwords',
      'passwd',
      'passphrase',
      'api_key',
      'private_key',
      'encryption_key',
      'signing_key',
      'auth_code',
      'authorization_code',
    ]),
  });

function normalise(key: string): string {
  return key.replace(/[\s_.[\]-]/g, '').toLowerCase();
}

const EXACT = new Set(SECRET_KEY_NAMES.exact.map(normalise));
const SUFFIXES = SECRET_KEY_NAMES.suffixes.map(normalise);

/** True when values stored under `key` are secret (see {@link SECRET_KEY_NAMES}). */
export function isSecretKey(key: string): boolean {
  const k = normalise(key);
  if (EXACT.has(k)) return true;
  for (const suffix of SUFFIXES) {
    if (k.endsWith(suffix)) return true;
  }
  return false;
}

// `code` is both the OAuth auth code (secret) and, far more often, an error code. These shapes
// are error codes (ours, Upstox's, Node's errno and ERR_*), never a 6-character auth code.
const ERROR_CODE_SHAPE = /^(?:HFT_[A-Z0-9_]+|UDAPI\d{2,}|ERR_[A-Z0-9_]+|E[A-Z]{3,})$/;

/**
 * True when a value found under the key `code` is an error code rather than an auth code:
 * `HFT_*`, `UDAPI<digits>`, `ERR_*`, errno names such as `ECONNRESET`, or any number.
 */
export function isErrorCodeValue(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && ERROR_CODE_SHAPE.test(value);
}

/** True when `value`, stored under `key`, must be replaced by the redaction marker. */
export function mustRedactKeyValue(key: string, value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'boolean') return false;
  if (!isSecretKey(key)) return false;
  if (normalise(key) === 'code' && isErrorCodeValue(value)) return false;
  return true;
}
