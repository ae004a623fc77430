import { InputError } from '@hft/errors';
import {
  assertFiniteNumber,
  assertNonEmptyString,
  assertOptionalBoolean,
  assertStringArray,
  isPlainObject,
} from './assert.js';
import { accountKey, type KindToken, TOKEN_KINDS, type TokenRecord } from './token-record.js';

const SOURCES = new Set(['oauth', 'request', 'manual', 'console']);

function optionalString(value: unknown, argument: string): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new InputError(`${argument} must be a string`, { details: { argument } });
  }
}

/** Throws unless `value` is a complete {@link KindToken}; names the field at fault. */
export function assertKindToken(value: unknown, argument: string): asserts value is KindToken {
  if (!isPlainObject(value)) {
    throw new InputError(`${argument} must be an object`, { details: { argument } });
  }
  assertNonEmptyString(value.token, `${argument}.token`);
  assertFiniteNumber(value.issuedAt, `${argument}.issuedAt`);
  assertFiniteNumber(value.expiresAt, `${argument}.expiresAt`);
  if (typeof value.source !== 'string' || !SOURCES.has(value.source)) {
    throw new InputError(`${argument}.source must be one of oauth, request, manual, console`, {
      details: { argument: `${argument}.source` },
    });
  }
}

/**
 * Checks that `value` is a complete {@link TokenRecord} (a credential set holding at least one
 * token, each of a known kind) whose `accountKey` is `upstox:<clientId>:<userId>` of its own
 * fields; throws `InputError` naming the first field at fault (`<argument>.<field>`). Stores call
 * it on `set`, so nothing half-formed is ever written, and the record codecs on read (after
 * {@link upgradeRecord}), so a record that names another account is corrupt, not served.
 */
export function assertTokenRecord(value: unknown, argument = 'record'): asserts value is TokenRecord {
  if (!isPlainObject(value)) {
    throw new InputError(`${argument} must be an object`, { details: { argument } });
  }
  const r = value;
  for (const flat of ['accessToken', 'extendedToken'] as const) {
    // The shape before credential sets: refused rather than stored beside `tokens` (a secret in a
    // field no reader knows).
    if (flat in r) {
      throw new InputError(
        `${argument}.${flat} is the record shape before credential sets; put tokens under ${argument}.tokens (daily, extended, ...)`,
        { details: { argument: `${argument}.${flat}` } },
      );
    }
  }
  if (r.version !== undefined) assertFiniteNumber(r.version, `${argument}.version`);
  assertNonEmptyString(r.accountKey, `${argument}.accountKey`);
  optionalString(r.accountName, `${argument}.accountName`);
  assertNonEmptyString(r.clientId, `${argument}.clientId`);
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
  if (!isPlainObject(r.tokens)) {
    throw new InputError(`${argument}.tokens must be an object (one token per kind)`, {
      details: { argument: `${argument}.tokens` },
    });
  }
  let held = 0;
  for (const [kind, token] of Object.entries(r.tokens)) {
    if (token === undefined) continue;
    if (!(TOKEN_KINDS as readonly string[]).includes(kind)) {
      throw new InputError(`${argument}.tokens.${kind} is not a token kind (${TOKEN_KINDS.join(', ')})`, {
        details: { argument: `${argument}.tokens.${kind}` },
      });
    }
    assertKindToken(token, `${argument}.tokens.${kind}`);
    held += 1;
  }
  if (held === 0) {
    throw new InputError(`${argument}.tokens must hold at least one token`, {
      details: { argument: `${argument}.tokens` },
    });
  }
  if (r.extra !== undefined && !isPlainObject(r.extra)) {
    throw new InputError(`${argument}.extra must be an object`, {
      details: { argument: `${argument}.extra` },
    });
  }
}
