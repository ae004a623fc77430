import { accountKey, type TokenRecord } from '@hft/auth-core';

/**
 * A complete, realistic {@link TokenRecord} for tests, including unknown broker fields in
 * `extra` (nested, unicode) so round-trip checks cover them.
 */
export function sampleRecord(
  overrides: Partial<TokenRecord> & { userId?: string; clientId?: string } = {},
): TokenRecord {
  const clientId = overrides.clientId ?? 'conformance-client';
  const userId = overrides.userId ?? 'AB1234';
  return {
    accountKey: accountKey(clientId, userId),
    clientId,
    accessToken: `access-${userId}-${Math.random().toString(36).slice(2)}`,
    extendedToken: `extended-${userId}`,
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
    issuedAt: Date.UTC(2026, 10, 26, 4, 0, 0, 123),
    expiresAt: Date.UTC(2026, 10, 26, 22, 0, 0, 0),
    source: 'oauth',
    extra: { ddpi: true, future_field: { nested: [1, 'two', null, { deep: true }] }, note: 'ünïcödé' },
    ...overrides,
  };
}
