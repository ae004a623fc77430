import { randomBytes } from 'node:crypto';
import { accountKey, RECORD_VERSION, type TokenRecord } from '@hft/auth-core/store';

/** Client id (API key) used by every benchmark record. */
export const BENCH_CLIENT_ID = 'bench-client';
/** Redirect URI given to benchmark token managers (never contacted). */
export const BENCH_REDIRECT_URI = 'http://127.0.0.1:5055/callback';
const HOUR_MS = 3_600_000;

/** A random token of the length and alphabet of an Upstox access token (a JWT). */
export function fakeAccessToken(): string {
  const part = (n: number) => randomBytes(n).toString('base64url');
  return `${part(27)}.${part(180)}.${part(32)}`;
}

/** Options of {@link makeRecord}. */
export interface MakeRecordOptions {
  /** Upstox user id; default `BENCH0`. */
  userId?: string;
  /** Default: a fresh {@link fakeAccessToken}. */
  accessToken?: string;
  /** Epoch ms; default six hours after `now`. Pass a past time for an expired record. */
  expiresAt?: number;
  /** Epoch ms "now"; default `Date.now()`. */
  now?: number;
  /** Carried in `extra` (e.g. a send time stamp). */
  extra?: Record<string, unknown>;
  /** The account's name (`--account NAME`); default none. */
  accountName?: string;
}

/**
 * A complete, realistic {@link TokenRecord} (every field a real login fills) for client
 * {@link BENCH_CLIENT_ID}, valid for six hours unless told otherwise.
 */
export function makeRecord(options: MakeRecordOptions = {}): TokenRecord {
  const now = options.now ?? Date.now();
  const userId = options.userId ?? 'BENCH0';
  return {
    version: RECORD_VERSION,
    accountKey: accountKey(BENCH_CLIENT_ID, userId),
    clientId: BENCH_CLIENT_ID,
    userId,
    userName: `Bench User ${userId}`,
    email: `${userId.toLowerCase()}@example.com`,
    broker: 'UPSTOX',
    exchanges: ['NSE', 'NFO', 'BSE', 'BFO', 'MCX', 'CDS'],
    products: ['D', 'I', 'CO', 'MTF'],
    orderTypes: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
    userType: 'individual',
    poa: false,
    isActive: true,
    tokens: {
      daily: {
        token: options.accessToken ?? fakeAccessToken(),
        issuedAt: now - HOUR_MS,
        expiresAt: options.expiresAt ?? now + 6 * HOUR_MS,
        source: 'oauth',
      },
    },
    ...(options.extra === undefined ? {} : { extra: options.extra }),
    ...(options.accountName === undefined ? {} : { accountName: options.accountName }),
  };
}
