// Everything of the storage side (also importable alone as '@hft/auth-core/store').

export {
  type CredentialsLike,
  UpstoxAuthenticator,
  type UpstoxAuthenticatorOptions,
} from './authenticator.js';
export {
  type AccessTokenProvider,
  createUpstoxClient,
  type HftRequestConfig,
  type UpstoxClientOptions,
} from './client/create-upstox-client.js';
export { ORDER_PATHS, type OrderOperation, type OrderPathRow } from './client/order-paths.js';
export type { LimiterOutagePolicy, SharedRateLimitOptions } from './client/shared-throttle.js';
export {
  type ClientRateLimits,
  UPSTOX_ORDER_LIMITS,
  UPSTOX_STANDARD_LIMITS,
  type WindowLimits,
} from './client/throttle.js';
export type { KindLeads } from './current-token.js';
export { type LoggerLike, silentLogger } from './logger-like.js';
export type { CompleteLoginOptions } from './login-session.js';
export { checkStaticIps, type StaticIpInput } from './static-ips.js';
export * from './store.js';
export type { InvalidationReason, TokenEvents, TokenOrigin } from './token-events.js';
export { IMPORT_CHECKS, type ImportedToken, type ImportTokenOptions } from './token-import.js';
export {
  type LogoutOptions,
  type LogoutResult,
  type ReacquireHook,
  type ReacquireReason,
  TokenManager,
  type TokenManagerOptions,
} from './token-manager.js';
export { isTokenRejection } from './token-rejection.js';
export { type Off, TypedEmitter } from './typed-emitter.js';
export {
  authorizeFeed,
  type CodeExchangeParams,
  type FeedKind,
  fetchProfile,
  fetchStaticIps,
  revokeToken,
  sendCodeExchange,
  sendStaticIpChange,
  sendTokenRequest,
} from './upstox/api.js';
export { type AuthorizationUrlParams, buildAuthorizationUrl, generateState } from './upstox/authorize-url.js';
export { type CallbackResult, parseCallback } from './upstox/callback.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_ORDER_BASE_URL,
  DEFAULT_SANDBOX_BASE_URL,
  UpstoxErrorCodes,
} from './upstox/endpoints.js';
export { createUpstoxHttp, type UpstoxHttpOptions } from './upstox/http.js';
export { isJwt, jwtExpiry, jwtIssuedAt, jwtSubject } from './upstox/jwt.js';
export { parseStaticIpRefusal, type StaticIpRefusal, staticIpError } from './upstox/static-ip-error.js';
export {
  type ProcessTokenOptions,
  processFeedAuthorizeResponse,
  processLogoutResponse,
  processProfileResponse,
  processStaticIpChangeResponse,
  processStaticIpsResponse,
  processTokenRequestResponse,
  processTokenResponse,
  type StaticIpChange,
  type StaticIps,
  type TokenRequestResult,
  type UpstoxProfile,
} from './upstox/validate.js';
export type { CheckLimits } from './webhook/check-limiter.js';
export {
  DeliveryRejected,
  type ValidateDeliveryOptions,
  type ValidDelivery,
  validateDelivery,
} from './webhook/delivery.js';
export type { RetryOptions } from './webhook/held-deliveries.js';
export {
  createNotifierHandler,
  type DeliveryOutcome,
  type NotifierHandler,
  type NotifierHandlerOptions,
  UNCONFIRMED_REASON,
} from './webhook/notifier-handler.js';
