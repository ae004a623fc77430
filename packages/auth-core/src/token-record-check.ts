import {
  argumentError,
  assertFiniteNumber,
  assertNonEmptyString,
  assertOptionalBoolean,
  assertStringArray,
  invalidArgument,
  isPlainObject,
} from '@hft/errors/assert';
import { accountKey, type KindToken, TOKEN_KINDS, type TokenRecord } from './token-record.js';

const SOURCES = new Set(['oauth', 'request', 'manual', 'console']);

function optionalString(value: unknown, argument: string): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalidArgument(argument, 'a string');
}

/** Throws unless `value` is a complete {@link KindToken}; names the field at fault. */
export function assertKindToken(value: unknown, argument: string): asserts value is KindToken {
  if (!isPlainObject(value)) throw invalidArgument(argument, 'an object');
  assertNonEmptyString(value.token, `${argument}.token`);
  assertFiniteNumber(value.issuedAt, `${argument}.issuedAt`);
  assertFiniteNumber(value.expiresAt, `${argument}.expiresAt`);
  if (typeof value.source !== 'string' || !SOURCES.has(value.source)) {
    throw invalidArgument(`${argument}.source`, 'one of oauth, request, manual, console');
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
  if (!isPlainObject(value)) throw invalidArgument(argument, 'an object');
  const r = value;
  for (const flat of ['accessToken', 'extendedToken'] as const) {
    // The shape before credential sets: refused rather than stored beside `tokens` (a secret in a
    // field no reader knows).
    if (flat in r) {
      throw argumentError(
        `${argument}.${flat}`,
        `is the record shape before credential sets; put tokens under ${argument}.tokens (daily, extended, ...)`,
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
    throw argumentError(
      `${argument}.accountKey`,
      'must be upstox:<clientId>:<userId> of the record itself; it names another account',
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
    throw invalidArgument(`${argument}.tokens`, 'an object (one token per kind)');
  }
  let held = 0;
  for (const [kind, token] of Object.entries(r.tokens)) {
    if (token === undefined) continue;
    if (!(TOKEN_KINDS as readonly string[]).includes(kind)) {
      throw argumentError(`${argument}.tokens.${kind}`, `is not a token kind (${TOKEN_KINDS.join(', ')})`);
    }
    assertKindToken(token, `${argument}.tokens.${kind}`);
    held += 1;
  }
  if (held === 0) {
    throw argumentError(`${argument}.tokens`, 'must hold at least one token');
  }
  if (r.extra !== undefined && !isPlainObject(r.extra)) {
    throw invalidArgument(`${argument}.extra`, 'an object');
  }
}
