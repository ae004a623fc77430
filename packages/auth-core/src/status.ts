import { toIstIso } from '@hft/time/core';
import type { KindInfo, TokenInfo } from './token-info.js';
import { TOKEN_KINDS, type TokenKind, type TokenSource } from './token-record.js';

/** The `token_info` of {@link AuthStatus}, in the original module's snake_case shape (the daily token). */
export interface AuthStatusTokenInfo {
  user_id: string;
  user_name: string | null;
  email: string | null;
  /** ISO 8601 with the `+05:30` offset; `null` when no daily token is held (other kinds are). */
  issued_at: string | null;
  /** ISO 8601 with the `+05:30` offset; `null` when no daily token is held (other kinds are). */
  expires_at: string | null;
  remaining_time_seconds: number;
  exchanges: string[];
  products: string[];
  order_types: string[];
}

/** One entry of {@link AuthStatus.tokens}. */
export interface AuthStatusKind {
  /** ISO 8601 with the `+05:30` offset. */
  issued_at: string;
  /** ISO 8601 with the `+05:30` offset. */
  expires_at: string;
  remaining_time_seconds: number;
  is_valid: boolean;
  source: TokenSource;
}

/** The original module's `get_status()` shape, plus `tokens`: every kind held. */
export interface AuthStatus {
  is_authenticated: boolean;
  token_info: AuthStatusTokenInfo | null;
  message: string;
  /** Every token kind held, keyed by kind (`{}` when nothing is stored). */
  tokens: { [K in TokenKind]?: AuthStatusKind };
}

function kindStatus(kind: KindInfo): AuthStatusKind {
  return {
    issued_at: toIstIso(kind.issuedAt),
    expires_at: toIstIso(kind.expiresAt),
    remaining_time_seconds: Math.floor(kind.remainingMs / 1000),
    is_valid: kind.isValid,
    source: kind.source,
  };
}

/** Builds the original module's status shape from token info (or its absence). */
export function statusFromInfo(info: TokenInfo | undefined): AuthStatus {
  if (!info)
    return {
      is_authenticated: false,
      token_info: null,
      message: 'Not authenticated: no token stored',
      tokens: {},
    };
  const tokens: AuthStatus['tokens'] = {};
  for (const kind of TOKEN_KINDS) {
    const held = info.tokens[kind];
    if (held) tokens[kind] = kindStatus(held);
  }
  const tokenInfo: AuthStatusTokenInfo = {
    user_id: info.userId,
    user_name: info.userName ?? null,
    email: info.email ?? null,
    issued_at: info.issuedAt === undefined ? null : toIstIso(info.issuedAt),
    expires_at: info.expiresAt === undefined ? null : toIstIso(info.expiresAt),
    remaining_time_seconds: Math.floor(info.remainingMs / 1000),
    exchanges: info.exchanges,
    products: info.products,
    order_types: info.orderTypes,
  };
  let message: string;
  if (info.isValid) message = `Authenticated as ${info.userId} until ${tokenInfo.expires_at}`;
  else if (tokenInfo.expires_at === null) message = `No daily token for ${info.userId}; log in for orders`;
  else if (info.remainingMs <= 0) message = `Token expired at ${tokenInfo.expires_at}; log in again`;
  else message = 'Token was rejected by Upstox (revoked or replaced); log in again';
  const others = TOKEN_KINDS.filter((kind) => kind !== 'daily' && tokens[kind]?.is_valid);
  if (!info.isValid && others.length > 0) message += ` (still valid: ${others.join(', ')})`;
  return { is_authenticated: info.isValid, token_info: tokenInfo, message, tokens };
}
