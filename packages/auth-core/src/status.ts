import { toIstIso } from '@hft/time/core';
import type { TokenInfo } from './token-info.js';

/** The `token_info` of {@link AuthStatus}, in the original module's snake_case shape. */
export interface AuthStatusTokenInfo {
  user_id: string;
  user_name: string | null;
  email: string | null;
  /** ISO 8601 with the `+05:30` offset. */
  issued_at: string;
  /** ISO 8601 with the `+05:30` offset. */
  expires_at: string;
  remaining_time_seconds: number;
  exchanges: string[];
  products: string[];
  order_types: string[];
}

/** The original module's `get_status()` shape. */
export interface AuthStatus {
  is_authenticated: boolean;
  token_info: AuthStatusTokenInfo | null;
  message: string;
}

/** Builds the original module's status shape from token info (or its absence). */
export function statusFromInfo(info: TokenInfo | undefined): AuthStatus {
  if (!info)
    return { is_authenticated: false, token_info: null, message: 'Not authenticated: no token stored' };
  const tokenInfo: AuthStatusTokenInfo = {
    user_id: info.userId,
    user_name: info.userName ?? null,
    email: info.email ?? null,
    issued_at: toIstIso(info.issuedAt),
    expires_at: toIstIso(info.expiresAt),
    remaining_time_seconds: Math.floor(info.remainingMs / 1000),
    exchanges: info.exchanges,
    products: info.products,
    order_types: info.orderTypes,
  };
  let message: string;
  if (info.isValid) message = `Authenticated as ${info.userId} until ${tokenInfo.expires_at}`;
  else if (info.remainingMs <= 0) message = `Token expired at ${tokenInfo.expires_at}; log in again`;
  else message = 'Token was rejected by Upstox (revoked or replaced); log in again';
  return { is_authenticated: info.isValid, token_info: tokenInfo, message };
}
