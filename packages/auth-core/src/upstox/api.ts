import { assertNonEmptyString } from '@hft/errors/assert';
import type { AxiosInstance } from 'axios';
import { UpstoxPaths } from './endpoints.js';
import { expectSuccess, sendUpstox } from './http.js';
import {
  processLogoutResponse,
  processProfileResponse,
  processTokenRequestResponse,
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
