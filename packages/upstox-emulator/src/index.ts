export { completeLogin, type TestLoginValues } from './complete-login.js';
export type { IssueTokenOptions, RateCategory } from './core.js';
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
export { JWT_HEADER, JWT_ISSUER } from './tokens.js';
export type {
  EmulatorApp,
  EmulatorUser,
  Fault,
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
