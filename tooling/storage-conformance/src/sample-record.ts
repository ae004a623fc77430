import { accountKey, type KindToken, RECORD_VERSION, type TokenRecord } from '@hft/auth-core';

/** The daily token's fields, flat, as tests like to override them, plus the extended token. */
export interface FlatTokenFields {
  accessToken?: string;
  issuedAt?: number;
  expiresAt?: number;
  source?: KindToken['source'];
  extendedToken?: string;
}

/** Overrides of {@link sampleRecord}: record fields, or the daily token's fields flat. */
export type SampleOverrides = Partial<TokenRecord> & FlatTokenFields & { userId?: string; clientId?: string };

/**
 * A complete, realistic credential set for tests (a daily and an extended token), including
 * unknown broker fields in `extra` (nested, unicode) so round-trip checks cover them. Flat
 * overrides (`accessToken`, `issuedAt`, `expiresAt`, `source`, `extendedToken`) change the daily
 * (or extended) token; `tokens` replaces the set.
 */
export function sampleRecord(overrides: SampleOverrides = {}): TokenRecord {
  const { accessToken, issuedAt, expiresAt, source, extendedToken, ...rest } = overrides;
  const clientId = rest.clientId ?? 'conformance-client';
  const userId = rest.userId ?? 'AB1234';
  const issued = issuedAt ?? Date.UTC(2026, 10, 26, 4, 0, 0, 123);
  const origin = source ?? 'oauth';
  return {
    version: RECORD_VERSION,
    accountKey: accountKey(clientId, userId),
    clientId,
    userId,
    userName: 'Ada Lovelace — परीक्षण',
    email: 'ada@example.com',
    broker: 'UPSTOX',
    exchanges: ['NSE', 'NFO', 'BSE'],
    products: ['D', 'I', 'CO'],
    orderTypes: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
    userType: 'individual',
    poa: false,
    isActive: true,
    tokens: {
      daily: {
        token: accessToken ?? `access-${userId}-${Math.random().toString(36).slice(2)}`,
        issuedAt: issued,
        expiresAt: expiresAt ?? Date.UTC(2026, 10, 26, 22, 0, 0, 0),
        source: origin,
      },
      extended: {
        token: extendedToken ?? `extended-${userId}`,
        issuedAt: issued,
        expiresAt: issued + 365 * 86_400_000,
        source: origin,
      },
    },
    extra: { ddpi: true, future_field: { nested: [1, 'two', null, { deep: true }] }, note: 'ünïcödé' },
    ...rest,
  };
}

/** `record` with its daily token changed by `patch`. */
export function withDaily(record: TokenRecord, patch: Partial<KindToken>): TokenRecord {
  return { ...record, tokens: { ...record.tokens, daily: { ...record.tokens.daily!, ...patch } } };
}

/** The daily token string of `record`. */
export function dailyOf(record: TokenRecord | undefined): string | undefined {
  return record?.tokens.daily?.token;
}
