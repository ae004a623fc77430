import type { TokenInfo } from './token-info.js';

/** Why a token stopped being usable before its expiry. */
export type InvalidationReason = 'broker-rejected' | 'logout' | 'deleted' | 'static-ip-changed';

/** Events of a {@link TokenManager}. Payloads never contain the access token, except `token`'s `accessToken`. */
export interface TokenEvents {
  /** A new token is in use: a login here, or another process stored one (hot rotation). */
  token: (event: { accessToken: string; info: TokenInfo; origin: 'login' | 'store' | 'reacquire' }) => void;
  /** The token expires within `leadMs` (fired once per configured lead time and token). */
  expiring: (event: { info: TokenInfo; leadMs: number; remainingMs: number }) => void;
  /** The token reached its expiry (03:30 IST or JWT `exp`). */
  expired: (event: { info: TokenInfo }) => void;
  /**
   * The token stopped working: Upstox answered 401 `UDAPI100050`, logout, another process deleted
   * it, or the static IPs were changed (`setStaticIps`: Upstox invalidates the user's tokens).
   */
  invalidated: (event: { info: TokenInfo | undefined; reason: InvalidationReason }) => void;
  /** A background failure (store watch, reload after a notification). */
  error: (error: Error) => void;
}
