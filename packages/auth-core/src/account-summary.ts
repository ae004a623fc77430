// What a store lists about one account without its secrets: the key, the names a user picks it
// by, and when its token ends. Stores build summaries with `summarizeRecord` (the one place that
// knows which record fields a summary takes) and may keep them beside the records as an index.
import { kindsOf, TOKEN_KINDS, type TokenKind, type TokenRecord } from './token-record.js';

/** One stored account, as listed by `TokenStore.summaries()`. Holds no secret. */
export interface AccountSummary {
  /** The account key, `upstox:<client_id>:<user_id>`. */
  key: string;
  /** The account's name (`--account NAME`), when it has one. */
  name?: string;
  clientId: string;
  userId: string;
  userName?: string;
  /** When the account's daily token stops working (epoch ms); absent when it holds no daily token. */
  expiresAt?: number;
  /** The token kinds the account holds. */
  kinds: TokenKind[];
}

/** The summary of `record` stored under `key`. */
export function summarizeRecord(key: string, record: TokenRecord): AccountSummary {
  const summary: AccountSummary = {
    key,
    clientId: record.clientId,
    userId: record.userId,
    kinds: kindsOf(record),
  };
  if (record.tokens.daily) summary.expiresAt = record.tokens.daily.expiresAt;
  if (record.accountName !== undefined) summary.name = record.accountName;
  if (record.userName !== undefined) summary.userName = record.userName;
  return summary;
}

const optionalString = (value: unknown) => value === undefined || typeof value === 'string';

/**
 * Reads a summary kept by a store (an index entry, as JSON text); `undefined` when `text` is not
 * one for `key`, so that the store rebuilds the entry from the record instead of trusting it.
 */
export function parseSummary(key: string, text: string): AccountSummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  if (s.key !== key || typeof s.clientId !== 'string' || typeof s.userId !== 'string') return undefined;
  if (s.expiresAt !== undefined && (typeof s.expiresAt !== 'number' || !Number.isFinite(s.expiresAt)))
    return undefined;
  // An entry written before credential sets has no kinds: rebuilt from the record.
  const kinds = s.kinds;
  if (!Array.isArray(kinds) || !kinds.every((k) => (TOKEN_KINDS as readonly unknown[]).includes(k)))
    return undefined;
  if (!optionalString(s.name) || !optionalString(s.userName)) return undefined;
  const summary: AccountSummary = {
    key,
    clientId: s.clientId,
    userId: s.userId,
    kinds: kinds as TokenKind[],
  };
  if (typeof s.expiresAt === 'number') summary.expiresAt = s.expiresAt;
  if (typeof s.name === 'string') summary.name = s.name;
  if (typeof s.userName === 'string') summary.userName = s.userName;
  return summary;
}
