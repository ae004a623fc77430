export { completeLogin, type TestLoginValues } from './complete-login.js';
export type { GenerateTokenOptions, IssueTokenOptions, RateCategory, StaticIpsOptions } from './core.js';
export {
  DEFAULT_APP,
  DEFAULT_CODE_TTL_MS,
  DEFAULT_EXTENDED_TOKEN_TTL_MS,
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_ORDER_LIMITS,
  DEFAULT_STANDARD_LIMITS,
  DEFAULT_USER,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
} from './defaults.js';
export { type AuthorizeUrlOptions, startUpstoxEmulator, type UpstoxEmulator } from './emulator.js';
export { createEmulatorClock, type EmulatorClock } from './emulator-clock.js';
export { ORDER_PATHS, type OrderCategory, type OrderPath } from './order-paths.js';
export { LTP_FIXTURES } from './routes/market-routes.js';
export { STATIC_IP_CHANGE_INTERVAL_MS } from './static-ips.js';
export { type Access, API_CLASSES, type ApiClass, type HostRole, TOKEN_ACCESS } from './token-access.js';
export {
  ANALYTICS_TOKEN_TTL_MS,
  type GeneratedTokenKind,
  JWT_HEADER,
  JWT_ISSUER,
  SANDBOX_TOKEN_TTL_MS,
  type TokenKind,
} from './tokens.js';
export type {
  EmulatorApp,
  EmulatorUser,
  Fault,
  GeneratedToken,
  PendingTokenRequest,
  RateLimitOptions,
  RequestLogEntry,
  ResolvedApp,
  ResolvedUser,
  TokenResponseBody,
  UpstoxEmulatorOptions,
  WebhookDelivery,
  WebhookPayload,
  WindowLimits,
} from './types.js';
export {
  UPSTOX_ERRORS,
  type UpstoxErrorBody,
  type UpstoxErrorCode,
  type UpstoxErrorItem,
} from './upstox-errors.js';
