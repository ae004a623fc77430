// Records for the multi-process tests: every field follows from (key, writer, seq), so a record
// read back can be checked against the one written whole, and a torn or mixed record is caught.
// The padding varies in length and is larger than a database page.
import { isDeepStrictEqual } from 'node:util';

/** The record `writer` stores as its `seq`-th write of `key`; `extra` joins its `extra` field. */
export function makeRecord(key, writer, seq, extra = {}) {
  const [, clientId, userId] = key.split(':');
  const issuedAt = 1_780_000_000_000 + seq;
  // Far ahead of any run, so a store that keeps records until their expiry keeps these.
  const expiresAt = 4_102_444_800_000 + seq;
  return {
    version: 2,
    accountKey: key,
    clientId,
    userId,
    userName: `User ${writer} — परीक्षण`,
    email: `${writer}@example.com`,
    broker: 'UPSTOX',
    exchanges: ['NSE', 'BSE'],
    products: ['D', 'I'],
    orderTypes: ['MARKET', 'LIMIT'],
    userType: 'individual',
    poa: false,
    isActive: true,
    tokens: {
      daily: { token: `tok-${writer}-${seq}`, issuedAt, expiresAt, source: 'oauth' },
      extended: { token: `ext-${writer}-${seq}`, issuedAt, expiresAt, source: 'oauth' },
    },
    extra: { writer, seq, pad: `${writer}:${seq}:`.repeat(200 + (seq % 7) * 100), ...extra },
  };
}

/** Why `record` is not a complete record written for `key`, or `undefined` when it is one. */
export function problemWith(key, record) {
  const { writer, seq, pad: _pad, ...extra } = record?.extra ?? {};
  if (typeof writer !== 'string' || typeof seq !== 'number') return `no writer/seq in ${key}`;
  return isDeepStrictEqual(record, makeRecord(key, writer, seq, extra))
    ? undefined
    : `record of ${key} by ${writer}#${seq} differs from what was written`;
}
