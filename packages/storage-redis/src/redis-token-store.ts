import { inspect } from 'node:util';
import {
  type AccountSummary,
  assertTokenRecord,
  createRecordCodec,
  parseSummary,
  type RateLimitBackend,
  SEALED_MARK,
  summarizeRecord,
  type TokenStore,
} from '@hft/auth-core/store';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { keyvTokenStore, localBus } from '@hft/storage-keyv';
import { createClient } from '@redis/client';
import { accountIndex } from './account-index.js';
import { keyLayout } from './key-layout.js';
import { type RedisTokenStoreOptions, resolveOptions } from './options.js';
import { recordTtlMs } from './record-ttl.js';
import { type RedisClient, RedisConnection } from './redis-connection.js';
import { createRedisKeyv } from './redis-keyv.js';
import { redisLease } from './redis-lease.js';
import { redisRateLimits } from './redis-rate-limits.js';
import type { RedisTarget } from './redis-url.js';
import { createWatchHub, type WatchHub, watchesArmed } from './watch-hub.js';

const NAME = 'redis';
const QUEUE_MAX = 1000;
const CLIENT_NAME = 'hft-token-store';

/** A {@link TokenStore} in Redis, with what it points at (password-free) and an explicit connect. */
export interface RedisTokenStore extends TokenStore {
  /** Always `redis`; used in every error message. */
  readonly name: 'redis';
  /** Where the store points: scheme, host, port, database, whether a password is set. */
  readonly target: RedisTarget;
  /** Prefix of every key and channel of this store. */
  readonly prefix: string;
  /**
   * Connects now instead of on first use: resolves once the command connection and the watch
   * connection are up and Redis tracks the records watched so far for this store; a `watch`
   * added later is live one round trip after it is added (writes by stores of this process wait
   * for it). Optional (every call connects on demand, and a `watch` on an unconnected store goes
   * live a few round trips later), but useful at start-up to fail early and to be sure not to
   * miss the very next change.
   * @throws StorageError `HFT_STORAGE_UNAVAILABLE` when Redis cannot be reached in time, or
   *   refuses client tracking (Redis older than 6.0, or an ACL without `CLIENT`).
   */
  connect(): Promise<void>;
  /**
   * Shared rate-limit counters in this Redis (rate-limiter-flexible), which `createUpstoxClient`
   * uses by default: every process of a user then stays within one budget.
   */
  readonly rateLimits: RateLimitBackend;
}

/** Reconnect delay: 50 ms doubling per attempt, capped, plus up to 50 ms of jitter. */
function reconnectDelay(retries: number, capMs: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 20), capMs) + Math.floor(Math.random() * 50);
}

/**
 * Creates a token store in Redis, for several processes or machines that share one token.
 *
 * Records are the shared record codec's JSON (sealed with `cipher` when set) at
 * `<prefix>token:<account key>`, with a Redis TTL of `expiresAt + ttlGraceMs - now` (at least a
 * minute), so dead tokens clean themselves up; each is written by one script together with its
 * entry in the account index `<prefix>accounts` (what `summaries()` lists in one call).
 * `withLock` takes `SET <prefix>lock:<key> NX PX` and releases with a compare-and-delete
 * script. `watch` uses Redis client tracking redirected to one subscriber connection per store:
 * per watched key (`OPTIN`, `CLIENT CACHING YES` before each read of a watched record), or in
 * broadcast mode on the `<prefix>token:` prefix while a `watchAll` is active, so every change of
 * a watched record is announced by Redis itself, and only those. Nothing connects until the first call (or
 * {@link RedisTokenStore.connect}); both connections reconnect by themselves with capped
 * backoff, and while Redis is away every call fails with `StorageError` within
 * `connectTimeoutMs` (or `commandTimeoutMs` for a server that stopped answering).
 *
 * @throws InputError when an option is invalid (the message never contains the password).
 */
export function createRedisTokenStore(options: RedisTokenStoreOptions): RedisTokenStore {
  const settings = resolveOptions(options);
  const { target, secrets } = settings.parsed;
  const { prefix, cipher, connectTimeoutMs, commandTimeoutMs } = settings;
  const keys = keyLayout(prefix);
  const index = accountIndex(keys.index, keys.names, keys.record(''));
  const codec = createRecordCodec({ backend: NAME, ...(cipher ? { cipher } : {}) });
  // Half the connect timeout: a call that waits for a lost connection sees at least one attempt.
  const backoffCapMs = Math.max(50, Math.floor(connectTimeoutMs / 2));

  let client: RedisClient;
  try {
    client = createClient({
      url: settings.url,
      name: CLIENT_NAME,
      disableOfflineQueue: true,
      commandsQueueMaxLength: QUEUE_MAX,
      socket: {
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (retries: number) => reconnectDelay(retries, backoffCapMs),
      },
    });
  } catch {
    // node-redis may quote the URL (and its password) in its message: never pass it on.
    throw new InputError(`url was rejected by the Redis client (${target.display})`, {
      details: { argument: 'url' },
    });
  }

  const common = { backend: NAME, target, secrets, connectTimeoutMs, commandTimeoutMs };
  let hub: WatchHub | undefined;
  const subscriber = new RedisConnection(client.duplicate({ name: `${CLIENT_NAME}:watch` }), {
    ...common,
    onReady: (reconnected) => hub?.onSubscriberReady(reconnected),
  });
  const commands = new RedisConnection(client, {
    ...common,
    onReady: (reconnected) => hub?.onCommandsReady(reconnected),
    // A server that stops answering commands has almost surely stopped delivering messages too.
    onCommandTimeout: () => subscriber.restart(),
  });

  let closed = false;
  const ensureOpen = (operation: string) => {
    if (closed) {
      throw new StorageError(`${NAME} store: ${operation} after close()`, {
        backend: NAME,
        details: { backend: NAME, operation },
      });
    }
  };
  const call = async <T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> => {
    ensureOpen(operation);
    return commands.run(operation, key, fn);
  };

  const scope = `${target.display}|${prefix}`;
  const watchHub = createWatchHub({
    commands,
    subscriber,
    keys,
    scope,
    decode(key, stored) {
      if (stored === null) return undefined;
      let wrapped: { value?: unknown; expires?: unknown };
      try {
        wrapped = JSON.parse(stored) as { value?: unknown; expires?: unknown };
      } catch (error) {
        throw new StorageError(`${NAME} store: the value for ${key} is not a stored record`, {
          backend: NAME,
          code: ErrorCodes.STORAGE_CORRUPT,
          cause: error,
          details: { backend: NAME, operation: 'get', key },
        });
      }
      if (typeof wrapped.expires === 'number' && wrapped.expires <= Date.now()) return undefined;
      if (typeof wrapped.value !== 'string') {
        throw new StorageError(`${NAME} store: the value for ${key} is not a stored record`, {
          backend: NAME,
          code: ErrorCodes.STORAGE_CORRUPT,
          details: { backend: NAME, operation: 'get', key },
        });
      }
      return codec.decode(key, wrapped.value);
    },
  });
  hub = watchHub;

  const keyv = createRedisKeyv(commands, keys.recordNamespace);
  const inner = keyvTokenStore(keyv, {
    name: NAME,
    ...(cipher ? { cipher } : {}),
    lease: redisLease(commands, keys, NAME),
    watch: watchHub.watch,
    watchAll: watchHub.watchAll,
    ttlMs: (record) => recordTtlMs(record, settings.ttlGraceMs, settings.clock.now()),
    pollIntervalMs: 0,
    keyNamed: (name) => index.keyNamed(commands.client, name),
    disconnect: false,
    onClose: async () => {
      await Promise.all([commands.close(), subscriber.close()]);
    },
  });

  /**
   * The record text inside Keyv's `{value, expires}` form (as written below); `undefined` for a
   * value of another shape. @throws SyntaxError for a value that is not JSON.
   */
  const recordTextOf = (stored: string): string | undefined => {
    const value = (JSON.parse(stored) as { value?: unknown } | null)?.value;
    return typeof value === 'string' ? value : undefined;
  };

  /**
   * One script lists the index (checked against the records); records it could not vouch for
   * (written by an older version, or by another tool) are read in one MGET and their entries repaired.
   */
  const readSummaries = async (): Promise<AccountSummary[]> => {
    const { indexed, unindexed } = await index.list(commands.client);
    const out: AccountSummary[] = [];
    for (const [key, text] of indexed) {
      const summary = parseSummary(key, text);
      if (summary) out.push(summary);
      else unindexed.push(key);
    }
    if (unindexed.length === 0) return out;
    const values = await commands.client.mGet(unindexed.map((key) => keys.record(key)));
    const repairs: Array<{ key: string; summary: string; value: string }> = [];
    unindexed.forEach((key, i) => {
      const value = values[i];
      if (typeof value !== 'string') return;
      const text = recordTextOf(value);
      if (text === undefined) return;
      const summary = summarizeRecord(key, codec.decode(key, text, { operation: 'summaries' }));
      out.push(summary);
      repairs.push({ key, summary: JSON.stringify(summary), value });
    });
    // A repair that fails costs the next listing one more read, nothing else.
    await index.repair(commands.client, repairs).catch(() => {});
    return out;
  };

  const description = `redis store at ${target.display} (prefix "${prefix}")`;
  const store: RedisTokenStore = {
    name: NAME,
    target,
    prefix,
    get: (key) => call('get', key, () => inner.get(key)),
    async set(key, record) {
      // Bad input is an InputError even while Redis is away.
      assertTokenRecord(record);
      return call('set', key, async () => {
        await watchesArmed(scope);
        const encoded = codec.encode(key, record);
        let ttl: number;
        try {
          ttl = recordTtlMs(record, settings.ttlGraceMs, settings.clock.now());
        } catch (error) {
          throw new StorageError(`${NAME} store: set of ${key} failed: ${(error as Error).message}`, {
            backend: NAME,
            cause: error,
            details: { backend: NAME, operation: 'set', key },
          });
        }
        // One script: the SET, in the {value, expires} form Keyv reads back, and the account
        // index entry. Watchers in other processes hear of it from Redis itself (client
        // tracking), so there is nothing to publish.
        const stored = JSON.stringify({ value: encoded, expires: Date.now() + ttl });
        const summary = JSON.stringify(summarizeRecord(key, record));
        // The overwrite check (a sealed record this store cannot open is never replaced) needs
        // the current value only when it may be sealed and not with this store's key (its key
        // id is in the envelope): the script hands such a value back unwritten, so the usual
        // write is one round trip, and the codec decides the rest.
        const write = (guard?: { text: string; pass?: string }) =>
          index.write(commands.client, key, stored, ttl, summary, record.accountName, guard);
        const refused = await write({ text: SEALED_MARK, ...(cipher ? { pass: cipher.keyId } : {}) });
        if (refused !== undefined) {
          codec.checkOverwrite(key, recordTextOf(refused));
          await write();
        }
        watchHub.wrote(key, stored);
        localBus(keyv).publish({ key, kind: 'set', record });
      });
    },
    delete: (key) =>
      call('delete', key, async () => {
        await watchesArmed(scope);
        const removed = await index.remove(commands.client, key);
        watchHub.wrote(key, null);
        if (removed) localBus(keyv).publish({ key, kind: 'delete' });
        return removed;
      }),
    list: () => call('list', undefined, () => inner.list()),
    rateLimits: redisRateLimits(commands, prefix, NAME),
    summaries: () => call('summaries', undefined, () => readSummaries()),
    accountNamed: (name) => call('get', undefined, async () => inner.accountNamed?.(name)),
    watchAll(onChange) {
      ensureOpen('watch');
      return inner.watchAll(onChange);
    },
    withLock(key, ttlMs, fn, lockOptions) {
      ensureOpen('lock');
      return inner.withLock(key, ttlMs, fn, lockOptions);
    },
    watch(key, onChange) {
      ensureOpen('watch');
      return inner.watch(key, onChange);
    },
    async connect() {
      ensureOpen('connect');
      await commands.ready('connect');
      await watchHub.settle('connect');
      await watchHub.armed();
    },
    async close() {
      if (closed) return;
      closed = true;
      watchHub.stop();
      await inner.close();
    },
  };
  Object.defineProperties(store, {
    toString: { value: () => description },
    toJSON: { value: () => ({ name: NAME, target: target.display, prefix }) },
    [inspect.custom]: { value: () => `RedisTokenStore { ${description} }` },
  });
  return store;
}
