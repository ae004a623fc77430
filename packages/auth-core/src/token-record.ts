/** How a token reached us: an OAuth login, a v3 Access Token Request, pasted, or made in My Apps. */
export type TokenSource = 'oauth' | 'request' | 'manual' | 'console';

/**
 * The kinds of Upstox token an account may hold at once (reference §5, §12): `daily` (everything;
 * next 03:30 IST), `extended` (read-only; 1 year), `analytics` (GET only; 1 year, made in My
 * Apps), `sandbox` (sandbox order APIs on the sandbox host; 30 days).
 */
export type TokenKind = 'daily' | 'extended' | 'analytics' | 'sandbox';

/** Every token kind, in the order status and listings show them. */
export const TOKEN_KINDS: readonly TokenKind[] = ['daily', 'extended', 'analytics', 'sandbox'];

/** One token of a credential set. Times are epoch milliseconds. */
export interface KindToken {
  /** The token itself (secret). */
  token: string;
  /** When it was issued (or first seen, for a pasted token without `iat`). */
  issuedAt: number;
  /** When it stops working: the kind's rule, made earlier by the JWT `exp` where present. */
  expiresAt: number;
  /** How it was obtained. */
  source: TokenSource;
}

/** The tokens of a credential set, at most one per kind. */
export type TokenSet = { [K in TokenKind]?: KindToken };

/** The `version` written with every record since credential sets (older records have none). */
export const RECORD_VERSION = 2;

/**
 * Everything known about one account (the credential set): the profile once, and a token per
 * kind. Times are epoch milliseconds; stores that write text (the file store) convert them to
 * ISO 8601 with the `+05:30` offset on disk. Records written before credential sets (one access
 * token plus an optional extended token) are upgraded when read (see `upgradeRecord`).
 */
export interface TokenRecord {
  /** Format version; {@link RECORD_VERSION} on every write. Absent in records read from older versions. */
  version?: number;
  /** Account key, `upstox:<client_id>:<user_id>` (see {@link accountKey}). */
  accountKey: string;
  /** Optional human name for the account (`--account NAME`). */
  accountName?: string;
  /** The API key (client id) the tokens were issued to. */
  clientId: string;
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
  /** The tokens held, one per kind; at least one. */
  tokens: TokenSet;
  /** Fields Upstox sent that this version does not know, kept as received (JSON values). */
  extra?: Record<string, unknown>;
}

/** The credential set of one account (the name the design uses for {@link TokenRecord}). */
export type CredentialSet = TokenRecord;

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

/** `record` with the current format {@link RECORD_VERSION}, which every write carries. */
export function withVersion(record: TokenRecord): TokenRecord {
  return record.version === RECORD_VERSION ? record : { version: RECORD_VERSION, ...record };
}

/** The daily token of `record`, when it holds one. */
export function dailyToken(record: TokenRecord | undefined): KindToken | undefined {
  return record?.tokens.daily;
}

/** The kinds `record` holds, in {@link TOKEN_KINDS} order. */
export function kindsOf(record: TokenRecord): TokenKind[] {
  return TOKEN_KINDS.filter((kind) => record.tokens[kind] !== undefined);
}
