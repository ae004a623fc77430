import type { TokenRecord } from './token-record.js';

/**
 * What is known about a token, without any secret. Times are epoch ms. The record's own fields
 * are picked from {@link TokenRecord}, so the two cannot drift apart.
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
    | 'issuedAt'
    | 'expiresAt'
    | 'source'
  > {
  /** Milliseconds left at the time of the call (0 when expired). */
  remainingMs: number;
  /** Not expired and not invalidated. */
  isValid: boolean;
  /** Whether an extended (read-only, long-lived) token is stored too. */
  hasExtendedToken: boolean;
}

/** Builds a secret-free {@link TokenInfo} from a record at time `now`. */
export function toTokenInfo(record: TokenRecord, now: number, invalidated: boolean): TokenInfo {
  const remainingMs = Math.max(0, record.expiresAt - now);
  const info: TokenInfo = {
    accountKey: record.accountKey,
    clientId: record.clientId,
    userId: record.userId,
    exchanges: [...record.exchanges],
    products: [...record.products],
    orderTypes: [...record.orderTypes],
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    remainingMs,
    isValid: !invalidated && remainingMs > 0,
    source: record.source,
    hasExtendedToken: record.extendedToken !== undefined,
  };
  if (record.accountName !== undefined) info.accountName = record.accountName;
  if (record.userName !== undefined) info.userName = record.userName;
  if (record.email !== undefined) info.email = record.email;
  if (record.broker !== undefined) info.broker = record.broker;
  return info;
}
