export { type AccountSummary, listAccounts, resolveAccount, resolveAccountKey } from './accounts.js';
export {
  type CredentialsLike,
  UpstoxAuthenticator,
  type UpstoxAuthenticatorOptions,
} from './authenticator.js';
export {
  type AccessTokenProvider,
  createUpstoxClient,
  type UpstoxClientOptions,
} from './client/create-upstox-client.js';
export { pathOf, type RequestCategory, requestCategory, usesOrderHost } from './client/request-category.js';
export {
  type ClientRateLimits,
  createThrottle,
  type Throttle,
  UPSTOX_ORDER_LIMITS,
  UPSTOX_STANDARD_LIMITS,
  type WindowLimits,
} from './client/throttle.js';
export {
  cipherFromEnv,
  createRecordCipher,
  isSealed,
  type RecordCipher,
  type RecordCipherOptions,
} from './crypto/record-cipher.js';
export { type LeasePrimitives, newLeaseOwner, type WithLeaseOptions, withLease } from './lease-lock.js';
export { type LoggerLike, silentLogger } from './logger-like.js';
export {
  createMemoryBackend,
  createMemoryTokenStore,
  type MemoryBackend,
  type MemoryTokenStoreOptions,
} from './memory-store.js';
export { createRecordCodec, type RecordCodec, type RecordCodecOptions } from './record-codec.js';
export { type AuthStatus, type AuthStatusTokenInfo, statusFromInfo } from './status.js';
export type { InvalidationReason, TokenEvents } from './token-events.js';
export { type TokenInfo, toTokenInfo } from './token-info.js';
export {
  isTokenRejection,
  type LogoutResult,
  type ReacquireHook,
  type ReacquireReason,
  TokenManager,
  type TokenManagerOptions,
} from './token-manager.js';
export { accountKey, parseAccountKey, type TokenRecord, type TokenSource } from './token-record.js';
export { assertTokenRecord } from './token-record-check.js';
export type { TokenStore, TokenStoreChange, Unsubscribe, WithLockOptions } from './token-store.js';
export { type Off, TypedEmitter } from './typed-emitter.js';
export {
  type CodeExchangeParams,
  fetchProfile,
  revokeToken,
  sendCodeExchange,
  sendTokenRequest,
} from './upstox/api.js';
export {
  type AuthorizationUrlParams,
  assertHttpUrl,
  buildAuthorizationUrl,
  generateState,
} from './upstox/authorize-url.js';
export { type CallbackResult, parseCallback, safeEqual } from './upstox/callback.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_ORDER_BASE_URL,
  UpstoxErrorCodes,
  UpstoxPaths,
} from './upstox/endpoints.js';
export {
  brokerError,
  createUpstoxHttp,
  DEFAULT_TIMEOUT_MS,
  expectSuccess,
  flattenHeaders,
  nonJsonError,
  parseErrorEnvelope,
  parseRetryAfter,
  sendUpstox,
  transportError,
  type UpstoxHttpOptions,
  type UpstoxRawResponse,
  type UpstoxRequest,
} from './upstox/http.js';
export { jwtExpiry } from './upstox/jwt.js';
export {
  type ProcessTokenOptions,
  processLogoutResponse,
  processProfileResponse,
  processTokenRequestResponse,
  processTokenResponse,
  type TokenRequestResult,
  type UpstoxProfile,
} from './upstox/validate.js';
export {
  DeliveryRejected,
  type ValidateDeliveryOptions,
  type ValidDelivery,
  validateDelivery,
} from './webhook/delivery.js';
export {
  createNotifierHandler,
  type DeliveryOutcome,
  type NotifierHandler,
  type NotifierHandlerOptions,
} from './webhook/notifier-handler.js';
