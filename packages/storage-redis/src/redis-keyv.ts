import KeyvRedis, { type RedisClientConnectionType } from '@keyv/redis';
import Keyv from 'keyv';
import type { RedisConnection } from './redis-connection.js';

/**
 * `@keyv/redis` over a connection this package manages. The adapter's own `getClient()` would
 * connect on demand with no bound on a reconnecting client and destroy the client on a failed
 * connect; here the store has already waited for the connection (bounded) before each call, so
 * the adapter just uses the client. If the connection drops in between, the client's disabled
 * offline queue rejects the command at once.
 */
class ManagedKeyvRedis<T> extends KeyvRedis<T> {
  readonly #connection: RedisConnection;

  constructor(connection: RedisConnection, namespace: string) {
    super(connection.client as RedisClientConnectionType, {
      namespace,
      keyPrefixSeparator: ':',
      throwOnErrors: true,
      throwOnConnectError: true,
      useUnlink: true,
    });
    this.#connection = connection;
  }

  override async getClient(): Promise<RedisClientConnectionType> {
    return this.#connection.client as RedisClientConnectionType;
  }

  /**
   * The adapter's iterator SCANs keys, then MGETs their values: a record deleted (or expired)
   * between the two comes back as `undefined`, which Keyv 5.6's iterator then dereferences and
   * throws on. A record that vanished mid-listing is simply not listed.
   */
  override async *iterator<U = T>(
    namespace?: string,
  ): AsyncGenerator<[string, U | undefined], void, unknown> {
    for await (const entry of super.iterator<U>(namespace)) {
      if (entry[1] !== undefined && entry[1] !== null) yield entry;
    }
  }

  override async disconnect(): Promise<void> {
    await this.#connection.close();
  }
}

/**
 * A Keyv over `connection` whose records live at `<namespace>:<key>` (Keyv's own key prefixing
 * is off: `@keyv/redis` applies the namespace, and its iterator lists only that namespace).
 */
export function createRedisKeyv(connection: RedisConnection, namespace: string): Keyv {
  const adapter = new ManagedKeyvRedis<string>(connection, namespace);
  return new Keyv(adapter, { namespace, useKeyPrefix: false, throwOnErrors: true });
}
