/** How a token reached us. */
export type TokenSource = 'oauth' | 'request' | 'manual';

/**
 * Everything known about one account's token. Times are epoch milliseconds; stores that write
 * text (the file store) convert them to ISO 8601 with the `+05:30` offset on disk.
 */
export interface TokenRecord {
  /** Account key, `upstox:<client_id>:<user_id>` (see {@link accountKey}). */
  accountKey: string;
  /** Optional human name for the account (`--account NAME`). */
  accountName?: string;
  /** The API key (client id) the token was issued to. */
  clientId: string;
  /** The access token (secret). */
  accessToken: string;
  /** The long-lived read-only extended token, when Upstox sent one (secret). */
  extendedToken?: string;
  /** Upstox user id (UCC). */
  userId: string;
  userName?: string;
  email?: string;
  /** `UPSTOX`. */
  broker?: string;
  exchanges: string[];
  products: string[];
  orderTypes: string[];
  userType?: string;
  poa?: boolean;
  isActive?: boolean;
  /** When the token was issued (epoch ms). */
  issuedAt: number;
  /** When the token stops working (epoch ms): the earlier of the 03:30 IST rule and the JWT `exp`. */
  expiresAt: number;
  /** How the token was obtained. */
  source: TokenSource;
  /** Fields Upstox sent that this version does not know, kept as received (JSON values). */
  extra?: Record<string, unknown>;
}

/** Builds the account key `upstox:<client_id>:<user_id>`. */
export function accountKey(clientId: string, userId: string): string {
  return `upstox:${clientId}:${userId}`;
}

/** Splits an account key; `undefined` when `key` is not of the form `upstox:<client_id>:<user_id>`. */
export function parseAccountKey(key: string): { clientId: string; userId: string } | undefined {
  const match = /^upstox:([^:]+):([^:]+)$/.exec(key);
  if (!match) return undefined;
  return { clientId: match[1]!, userId: match[2]! };
}
