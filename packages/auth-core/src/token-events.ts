import type { TokenInfo } from './token-info.js';
import type { TokenKind } from './token-record.js';

/** Why a token stopped being usable before its expiry. */
export type InvalidationReason = 'broker-rejected' | 'logout' | 'deleted' | 'static-ip-changed';

/** Where a new current token came from. */
export type TokenOrigin = 'login' | 'store' | 'reacquire';

/**
 * Events of a {@link TokenManager}. Each carries the token `kind` it is about (`daily` is the one
 * `getAccessToken()` serves). Payloads never contain a token, except `token`'s `accessToken`.
 */
export interface TokenEvents {
  /** A new token of `kind` is in use: a login or import here, or another process stored one (hot rotation). */
  token: (event: { accessToken: string; info: TokenInfo; origin: TokenOrigin; kind: TokenKind }) => void;
  /** The token of `kind` expires within `leadMs` (fired once per configured lead time and token). */
  expiring: (event: { info: TokenInfo; leadMs: number; remainingMs: number; kind: TokenKind }) => void;
  /** The token of `kind` reached its expiry (03:30 IST for daily, its JWT `exp`, or its kind's life). */
  expired: (event: { info: TokenInfo; kind: TokenKind }) => void;
  /**
   * A token stopped working: Upstox answered 401 `UDAPI100050` to it (`kind` is the kind sent),
   * logout, another process deleted it, or the static IPs were changed (`setStaticIps`: Upstox
   * invalidates the user's daily token).
   */
  invalidated: (event: { info: TokenInfo | undefined; reason: InvalidationReason; kind: TokenKind }) => void;
  /** A background failure (store watch, reload after a notification). */
  error: (error: Error) => void;
}
