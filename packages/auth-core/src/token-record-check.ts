import { InputError } from '@hft/errors';
import {
  assertFiniteNumber,
  assertNonEmptyString,
  assertOptional,
  assertOptionalBoolean,
  assertStringArray,
  isPlainObject,
} from './assert.js';
import type { TokenRecord } from './token-record.js';

const SOURCES = new Set(['oauth', 'request', 'manual']);

function optionalString(value: unknown, argument: string): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new InputError(`${argument} must be a string`, { details: { argument } });
  }
}

/**
 * Checks that `value` is a complete {@link TokenRecord}; throws `InputError` naming the first
 * field at fault (`<argument>.<field>`). Stores call it on `set`, so nothing half-formed is
 * ever written.
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
