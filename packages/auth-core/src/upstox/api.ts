import { assertNonEmptyString } from '@hft/errors/assert';
import type { AxiosInstance } from 'axios';
import { UpstoxPaths } from './endpoints.js';
import { expectSuccess, sendUpstox } from './http.js';
import {
  processFeedAuthorizeResponse,
  processLogoutResponse,
  processProfileResponse,
  processStaticIpChangeResponse,
  processStaticIpsResponse,
  processTokenRequestResponse,
  type StaticIpChange,
  type StaticIps,
  type TokenRequestResult,
  type UpstoxProfile,
} from './validate.js';

// The calls this package makes, each "send" then "validate". Secrets travel only in the form
// body, the JSON body or the Authorization header: never in a URL.

/** Parameters of {@link sendCodeExchange}. */
export interface CodeExchangeParams {
  code: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/**
 * `POST /v2/login/authorization/token`, form-encoded, with `Api-Version: 2.0`. Resolves with
 * the raw success body (validate it with `processTokenResponse`).
 * @throws BrokerError, NetworkError
 */
export async function sendCodeExchange(http: AxiosInstance, params: CodeExchangeParams): Promise<unknown> {
  assertNonEmptyString(params.code, 'code');
  assertNonEmptyString(params.clientId, 'clientId');
  assertNonEmptyString(params.clientSecret, 'clientSecret');
  assertNonEmptyString(params.redirectUri, 'redirectUri');
  const form = new URLSearchParams({
    code: params.code,
    client_id: params.clientId,
    client_secret: params.clientSecret,
    redirect_uri: params.redirectUri,
    grant_type: 'authorization_code',
  });
  const response = await sendUpstox(http, {
    method: 'POST',
    path: UpstoxPaths.token,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Api-Version': '2.0' },
    data: form.toString(),
  });
  return expectSuccess(response);
}

/** `GET /v2/user/profile` with the token. @throws BrokerError, NetworkError */
export async function fetchProfile(http: AxiosInstance, accessToken: string): Promise<UpstoxProfile> {
  assertNonEmptyString(accessToken, 'accessToken');
  const response = await sendUpstox(http, {
    method: 'GET',
    path: UpstoxPaths.profile,
    headers: { Authorization: `Bearer ${accessToken}`, 'Api-Version': '2.0' },
  });
  return processProfileResponse(expectSuccess(response));
}

/** `DELETE /v2/logout` with the token; resolves with Upstox's `data` flag. @throws BrokerError, NetworkError */
export async function revokeToken(http: AxiosInstance, accessToken: string): Promise<boolean> {
  assertNonEmptyString(accessToken, 'accessToken');
  const response = await sendUpstox(http, {
    method: 'DELETE',
    path: UpstoxPaths.logout,
    headers: { Authorization: `Bearer ${accessToken}`, 'Api-Version': '2.0' },
  });
  return processLogoutResponse(expectSuccess(response));
}

/**
 * `POST /v3/login/auth/token/request/{client_id}` with JSON `{client_secret}` and no
 * `Api-Version` (as Upstox's SDKs send it). Upstox then asks the user to approve in its app and
 * POSTs the token to the app's notifier webhook. @throws BrokerError, NetworkError
 */
export async function sendTokenRequest(
  http: AxiosInstance,
  params: { clientId: string; clientSecret: string },
): Promise<TokenRequestResult> {
  assertNonEmptyString(params.clientId, 'clientId');
  assertNonEmptyString(params.clientSecret, 'clientSecret');
  const response = await sendUpstox(http, {
    method: 'POST',
    path: UpstoxPaths.tokenRequest(params.clientId),
    headers: { 'Content-Type': 'application/json' },
    data: JSON.stringify({ client_secret: params.clientSecret }),
  });
  return processTokenRequestResponse(expectSuccess(response), params.clientId);
}

/** `GET /v2/user/ip`: the user's registered static IPs. @throws BrokerError, NetworkError */
export async function fetchStaticIps(http: AxiosInstance, accessToken: string): Promise<StaticIps> {
  assertNonEmptyString(accessToken, 'accessToken');
  const response = await sendUpstox(http, {
    method: 'GET',
    path: UpstoxPaths.staticIps,
    headers: { Authorization: `Bearer ${accessToken}`, 'Api-Version': '2.0' },
  });
  return processStaticIpsResponse(expectSuccess(response));
}

/**
 * `PUT /v2/user/ip` with JSON `{primary_ip, secondary_ip?}`: changes the registered static IPs.
 * Upstox allows one change a week and invalidates the user's access tokens on success. Validate
 * the addresses first (`checkStaticIps`). @throws BrokerError, NetworkError
 */
export async function sendStaticIpChange(
  http: AxiosInstance,
  accessToken: string,
  ips: { primary: string; secondary?: string | null },
): Promise<StaticIpChange> {
  assertNonEmptyString(accessToken, 'accessToken');
  const body: Record<string, unknown> = { primary_ip: ips.primary };
  if (ips.secondary !== undefined) body.secondary_ip = ips.secondary;
  const response = await sendUpstox(http, {
    method: 'PUT',
    path: UpstoxPaths.staticIps,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      'Api-Version': '2.0',
      'Content-Type': 'application/json',
    },
    data: JSON.stringify(body),
  });
  return processStaticIpChangeResponse(expectSuccess(response));
}

/** Which feed {@link authorizeFeed} authorizes. */
export type FeedKind = 'market' | 'portfolio';

/**
 * `GET /v3/feed/market-data-feed/authorize` or `GET /v2/feed/portfolio-stream-feed/authorize`
 * (with `update_types` when given): resolves with the single-use `wss://` URL to connect to.
 * @throws BrokerError, NetworkError
 */
export async function authorizeFeed(
  http: AxiosInstance,
  accessToken: string,
  kind: FeedKind,
  options: { updateTypes?: readonly string[] } = {},
): Promise<string> {
  assertNonEmptyString(accessToken, 'accessToken');
  const base = kind === 'market' ? UpstoxPaths.marketFeedAuthorize : UpstoxPaths.portfolioFeedAuthorize;
  const types = options.updateTypes;
  const query =
    kind === 'portfolio' && types !== undefined && types.length > 0
      ? `?${new URLSearchParams({ update_types: types.join(',') })}`
      : '';
  const response = await sendUpstox(http, {
    method: 'GET',
    path: `${base}${query}`,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      ...(kind === 'portfolio' ? { 'Api-Version': '2.0' } : {}),
    },
  });
  return processFeedAuthorizeResponse(expectSuccess(response), base);
}
