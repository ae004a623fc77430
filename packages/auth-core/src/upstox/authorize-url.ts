import { randomBytes } from 'node:crypto';
import { argumentError, assertNonEmptyString, invalidArgument } from '@hft/errors/assert';
import { DEFAULT_BASE_URL, UpstoxPaths } from './endpoints.js';

/** Parameters of {@link buildAuthorizationUrl}. */
export interface AuthorizationUrlParams {
  /** The app's API key. */
  clientId: string;
  /** Must match the redirect URL registered on the app exactly. */
  redirectUri: string;
  /** Opaque value echoed on the redirect; use {@link generateState}. */
  state?: string;
  /** API base URL. Default `https://api.upstox.com`. */
  baseUrl?: string;
}

/**
 * Builds the URL of Upstox's login dialog (`GET /v2/login/authorization/dialog`) with
 * `client_id`, `redirect_uri`, `response_type=code` and `state`. Pure: sends nothing. Contains no
 * secret. Throws `InputError` for an empty client id or a redirect URI / base URL that is not an
 * absolute http(s) URL.
 */
export function buildAuthorizationUrl(params: AuthorizationUrlParams): string {
  assertNonEmptyString(params.clientId, 'clientId');
  assertNonEmptyString(params.redirectUri, 'redirectUri');
  assertHttpUrl(params.redirectUri, 'redirectUri');
  const base = params.baseUrl ?? DEFAULT_BASE_URL;
  assertHttpUrl(base, 'baseUrl');
  if (params.state !== undefined) assertNonEmptyString(params.state, 'state');
  const url = new URL(UpstoxPaths.authorize, withTrailingSlashRemoved(base));
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('response_type', 'code');
  if (params.state !== undefined) url.searchParams.set('state', params.state);
  return url.toString();
}

/** A random OAuth `state`: 32 bytes (256 bits) from the CSPRNG, base64url (43 characters). */
export function generateState(): string {
  return randomBytes(32).toString('base64url');
}

function withTrailingSlashRemoved(base: string): string {
  return base.endsWith('/') ? base.slice(0, -1) : base;
}

/** Throws `InputError` unless `value` parses as an absolute http: or https: URL. */
export function assertHttpUrl(value: string, argument: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument(argument, 'an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw argumentError(argument, 'must use http: or https:');
  }
}
