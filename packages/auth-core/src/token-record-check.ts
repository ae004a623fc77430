import { InputError } from '@hft/errors';
import {
  assertFiniteNumber,
  assertNonEmptyString,
  assertOptional,
  assertOptionalBoolean,
  assertStringArray,
  isPlainObject,
} from './assert.js';
import { accountKey, type TokenRecord } from './token-record.js';

const SOURCES = new Set(['oauth', 'request', 'manual']);

function optionalString(value: unknown, argument: string): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new InputError(`${argument} must be a string`, { details: { argument } });
  }
}

/**
 * Checks that `value` is a complete {@link TokenRecord} whose `accountKey` is
 * `upstox:<clientId>:<userId>` of its own fields; throws `InputError` naming the first field at
 * fault (`<argument>.<field>`). Stores call it on `set`, so nothing half-formed is ever written,
 * and the record codecs on read, so a record that names another account is corrupt, not served.
 */
export function assertTokenRecord(value: unknown, argument = 'record'): asserts value is TokenRecord {
  if (!isPlainObject(value)) {
    throw new InputError(`${argument} must be an object`, { details: { argument } });
  }
  const r = value;
  assertNonEmptyString(r.accountKey, `${argument}.accountKey`);
  optionalString(r.accountName, `${argument}.accountName`);
  assertNonEmptyString(r.clientId, `${argument}.clientId`);
  assertNonEmptyString(r.accessToken, `${argument}.accessToken`);
  assertOptional(r.extendedToken, `${argument}.extendedToken`, assertNonEmptyString);
  assertNonEmptyString(r.userId, `${argument}.userId`);
  // The key is what stores file and find a record under: a record whose key names another
  // client or user (planted, or mangled) would serve one account's token as another's.
  const expectedKey = accountKey(r.clientId, r.userId);
  if (r.accountKey !== expectedKey) {
    throw new InputError(
      `${argument}.accountKey must be upstox:<clientId>:<userId> of the record itself; it names another account`,
      { details: { argument: `${argument}.accountKey` } },
    );
  }
  optionalString(r.userName, `${argument}.userName`);
  optionalString(r.email, `${argument}.email`);
  optionalString(r.broker, `${argument}.broker`);
  optionalString(r.userType, `${argument}.userType`);
  assertStringArray(r.exchanges, `${argument}.exchanges`);
  assertStringArray(r.products, `${argument}.products`);
  assertStringArray(r.orderTypes, `${argument}.orderTypes`);
  assertOptionalBoolean(r.poa, `${argument}.poa`);
  assertOptionalBoolean(r.isActive, `${argument}.isActive`);
  assertFiniteNumber(r.issuedAt, `${argument}.issuedAt`);
  assertFiniteNumber(r.expiresAt, `${argument}.expiresAt`);
  if (typeof r.source !== 'string' || !SOURCES.has(r.source)) {
    throw new InputError(`${argument}.source must be one of oauth, request, manual`, {
      details: { argument: `${argument}.source` },
    });
  }
  if (r.extra !== undefined && !isPlainObject(r.extra)) {
    throw new InputError(`${argument}.extra must be an object`, {
      details: { argument: `${argument}.extra` },
    });
  }
}
