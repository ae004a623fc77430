import type { RecordCipher } from '@hft/auth-core/store';
import {
  assertFiniteNumber,
  assertMatches,
  assertPlainObject,
  describeType,
  invalidArgument,
} from '@hft/errors/assert';
import { type ParsedRedisUrl, parseRedisUrl } from './redis-url.js';

/** A source of the current time in epoch milliseconds (structurally `@hft/time`'s `Clock`). */
export interface RedisStoreClock {
  /** Current instant in epoch milliseconds. */
  now(): number;
}

/** Options of {@link createRedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /**
   * Connection URL: `redis://[[user]:password@]host[:port][/db]`, or `rediss://...` for TLS.
   * Percent-encode special characters in the password. The password never appears in error
   * messages, `String(store)` or `store.target`.
   */
  url: string;
  /**
   * Prepended verbatim to every Redis key and channel this store uses (records, locks, change
   * channels), so several deployments can share one database. Letters, digits and `_ . : / -`
   * only (no glob characters: the prefix is used in `SCAN MATCH`). Default `hft:`.
   */
  prefix?: string;
  /** Encrypt records at rest (AES-256-GCM, `createRecordCipher`). Published changes are sealed too. */
  cipher?: RecordCipher;
  /**
   * How long a record outlives its token's `expiresAt` before Redis deletes it, in ms. The Redis
   * TTL of a record is `expiresAt + ttlGraceMs - clock.now()`, at least one minute. Default 6 h.
   */
  ttlGraceMs?: number;
  /**
   * Longest wait for a connection, in ms: bounds one TCP/TLS connect, and how long a call made
   * while disconnected waits for the connection to come back before failing. Default 2000.
   */
  connectTimeoutMs?: number;
  /** Longest wait for the Redis round trips of one call once connected, in ms. Default 2000. */
  commandTimeoutMs?: number;
  /** Clock used to compute record TTLs. Default: the system clock. */
  clock?: RedisStoreClock;
}

/** Validated options with defaults applied. */
export interface RedisStoreSettings {
  url: string;
  parsed: ParsedRedisUrl;
  prefix: string;
  cipher: RecordCipher | undefined;
  ttlGraceMs: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  clock: RedisStoreClock;
}

/** Default prefix of every key and channel. */
export const DEFAULT_PREFIX = 'hft:';
/** Default grace after a token's expiry before Redis deletes its record: 6 hours. */
export const DEFAULT_TTL_GRACE_MS = 6 * 60 * 60 * 1000;
/** Default connect timeout in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** Default command timeout in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

const MAX_TIMEOUT_MS = 10 * 60 * 1000;
const PREFIX_PATTERN = /^[A-Za-z0-9_.:/-]{0,100}$/;

function timeout(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  assertFiniteNumber(value, argument, {
    positive: true,
    max: MAX_TIMEOUT_MS,
    expected: `a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`,
  });
  return value;
}

/**
 * Checks {@link RedisTokenStoreOptions} and applies the defaults.
 * @throws InputError naming the option at fault.
 */
export function resolveOptions(options: RedisTokenStoreOptions): RedisStoreSettings {
  assertPlainObject(options, 'options');
  const parsed = parseRedisUrl(options.url);
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  assertMatches(
    prefix,
    'prefix',
    PREFIX_PATTERN,
    'at most 100 letters, digits or _ . : / - (no glob characters)',
  );
  const cipher = options.cipher;
  if (
    cipher !== undefined &&
    (typeof cipher !== 'object' || typeof cipher.seal !== 'function' || typeof cipher.open !== 'function')
  ) {
    throw invalidArgument('cipher', 'a RecordCipher (createRecordCipher)', { got: describeType(cipher) });
  }
  const ttlGraceMs = options.ttlGraceMs ?? DEFAULT_TTL_GRACE_MS;
  assertFiniteNumber(ttlGraceMs, 'ttlGraceMs', { min: 0, expected: 'a finite number of milliseconds >= 0' });
  const clock = options.clock ?? { now: () => Date.now() };
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw invalidArgument('clock', 'an object with a now() method', { got: describeType(clock) });
  }
  return {
    url: options.url,
    parsed,
    prefix,
    cipher,
    ttlGraceMs,
    connectTimeoutMs: timeout(options.connectTimeoutMs, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    commandTimeoutMs: timeout(options.commandTimeoutMs, 'commandTimeoutMs', DEFAULT_COMMAND_TIMEOUT_MS),
    clock,
  };
}
