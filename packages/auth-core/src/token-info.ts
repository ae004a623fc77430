import {
  type KindToken,
  TOKEN_KINDS,
  type TokenKind,
  type TokenRecord,
  type TokenSource,
} from './token-record.js';

/** What is known about one token of a credential set, without the secret. Times are epoch ms. */
export interface KindInfo {
  issuedAt: number;
  expiresAt: number;
  /** Milliseconds left at the time of the call (0 when expired). */
  remainingMs: number;
  /** Not expired and not invalidated. */
  isValid: boolean;
  source: TokenSource;
}

/**
 * What is known about an account's tokens, without any secret. Times are epoch ms. The
 * top-level `issuedAt`, `expiresAt`, `source`, `remainingMs` and `isValid` describe the daily
 * token (the one `getAccessToken()` serves); `tokens` describes every kind held.
 */
export interface TokenInfo
  extends Pick<
    TokenRecord,
    | 'accountKey'
    | 'accountName'
    | 'clientId'
    | 'userId'
    | 'userName'
    | 'email'
    | 'broker'
    | 'exchanges'
    | 'products'
    | 'orderTypes'
  > {
  /** When the daily token was issued; absent when no daily token is held. */
  issuedAt?: number;
  /** When the daily token expires; absent when no daily token is held. */
  expiresAt?: number;
  /** How the daily token was obtained; absent when no daily token is held. */
  source?: TokenSource;
  /** Milliseconds left on the daily token at the time of the call (0 when expired or none). */
  remainingMs: number;
  /** The daily token is held, not expired and not invalidated. */
  isValid: boolean;
  /** Whether an extended (read-only, long-lived) token is stored too. */
  hasExtendedToken: boolean;
  /** Every kind held, keyed by kind. */
  tokens: { [K in TokenKind]?: KindInfo };
}

/** The secret-free view of one token at `now`. */
export function toKindInfo(token: KindToken, now: number, invalidated: boolean): KindInfo {
  const remainingMs = Math.max(0, token.expiresAt - now);
  return {
    issuedAt: token.issuedAt,
    expiresAt: token.expiresAt,
    remainingMs,
    isValid: !invalidated && remainingMs > 0,
    source: token.source,
  };
}

/**
 * Builds a secret-free {@link TokenInfo} from a record at time `now`. `invalidated` says which
 * held tokens Upstox rejected (a kind, or a predicate over the token string).
 */
export function toTokenInfo(
  record: TokenRecord,
  now: number,
  invalidated: boolean | ((token: string) => boolean),
): TokenInfo {
  const isInvalidated =
    typeof invalidated === 'function'
      ? invalidated
      : (token: string) => invalidated && token === record.tokens.daily?.token;
  const tokens: TokenInfo['tokens'] = {};
  for (const kind of TOKEN_KINDS) {
    const token = record.tokens[kind];
    if (token) tokens[kind] = toKindInfo(token, now, isInvalidated(token.token));
  }
  const daily = tokens.daily;
  const info: TokenInfo = {
    accountKey: record.accountKey,
    clientId: record.clientId,
    userId: record.userId,
    exchanges: [...record.exchanges],
    products: [...record.products],
    orderTypes: [...record.orderTypes],
    remainingMs: daily?.remainingMs ?? 0,
    isValid: daily?.isValid ?? false,
    hasExtendedToken: record.tokens.extended !== undefined,
    tokens,
  };
  if (daily) {
    info.issuedAt = daily.issuedAt;
    info.expiresAt = daily.expiresAt;
    info.source = daily.source;
  }
  if (record.accountName !== undefined) info.accountName = record.accountName;
  if (record.userName !== undefined) info.userName = record.userName;
  if (record.email !== undefined) info.email = record.email;
  if (record.broker !== undefined) info.broker = record.broker;
  return info;
}
