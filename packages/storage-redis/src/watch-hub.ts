import type { RecordCodec, TokenRecord, TokenStoreChange, Unsubscribe } from '@hft/auth-core/store';
import { encodeChange, parseChange } from './change-message.js';
import type { KeyLayout } from './key-layout.js';
import type { RedisConnection } from './redis-connection.js';

type Listener = (change: TokenStoreChange) => void;

/** Options of {@link createWatchHub}. */
export interface WatchHubOptions {
  /** The command connection (publishes). */
  commands: RedisConnection;
  /** The subscriber connection, shared by every watch of the store. */
  subscriber: RedisConnection;
  keys: KeyLayout;
  /** The store's record codec (seals published values when a cipher is set). */
  codec: RecordCodec;
  /** Id of this store instance, carried in its messages. */
  origin: string;
  /** Reads the current record of `key` (used to catch up after the subscriber reconnects). */
  read(key: string): Promise<TokenRecord | undefined>;
}

/** Cross-process change notifications over Redis pub/sub. */
export interface WatchHub {
  /** Subscribes `onChange` to changes of `key` made by other store instances. */
  watch(key: string, onChange: Listener): Unsubscribe;
  /** Publishes a change made through this instance (`afterWrite` of the keyv store). */
  publish(change: TokenStoreChange): Promise<void>;
  /** Resolves once the subscriber is connected and every current watch is subscribed. */
  settle(operation: string): Promise<void>;
  /** Subscriber is reconnected (after a loss): resubscribe, then catch up by re-reading. */
  onSubscriberReady(reconnected: boolean): void;
  /** Stops delivering; the connection itself is closed by the store. */
  stop(): void;
}

/**
 * One subscriber connection per store, shared by every watch: a channel per watched account
 * (`<prefix>changes:<key>`), subscribed while it has at least one listener. A `set` message
 * carries the stored value (sealed when encrypted), so watchers get the record without a GET.
 * Messages published while the subscriber was disconnected are lost by Redis, so after a
 * reconnect every watched key is re-read and reported once.
 */
export function createWatchHub(options: WatchHubOptions): WatchHub {
  const { commands, subscriber, keys, codec, origin } = options;
  const channels = new Map<string, { key: string; listeners: Set<Listener> }>();
  let stopped = false;

  const deliver = (listeners: Iterable<Listener>, change: TokenStoreChange) => {
    for (const listener of [...listeners]) {
      try {
        // Each listener gets its own copy: one must not see another's mutations.
        listener(change.record ? { ...change, record: structuredClone(change.record) } : { ...change });
      } catch {
        // A throwing listener is its own problem; the others still hear the change.
      }
    }
  };

  const dispatch = (message: string, channel: string) => {
    const entry = channels.get(channel);
    if (stopped || !entry) return;
    const parsed = parseChange(message);
    if (parsed?.origin === origin) return; // this instance already told its watchers
    let record: TokenRecord | undefined;
    if (parsed?.kind === 'set' && parsed.value !== undefined) {
      try {
        record = codec.decode(entry.key, parsed.value);
      } catch {
        // Wrong key, tampered or foreign value: report the change without it, so watchers re-read
        // and meet the real error through get().
      }
    }
    deliver(entry.listeners, {
      key: entry.key,
      kind: parsed?.kind ?? 'set',
      ...(record ? { record } : {}),
    });
  };

  const subscribe = (channel: string): Promise<void> => subscriber.client.subscribe(channel, dispatch);
  // If the connection drops before the server confirms, the next `ready` subscribes again.
  const subscribeInBackground = (channel: string) => {
    subscribe(channel).catch(() => {});
  };

  const catchUp = async (key: string, listeners: Set<Listener>) => {
    try {
      const record = await options.read(key);
      if (!stopped)
        deliver(listeners, { key, kind: record ? 'set' : 'delete', ...(record ? { record } : {}) });
    } catch {
      // Redis is still unreachable for commands: the next change or reconnect reports it.
    }
  };

  return {
    watch(key, onChange) {
      const channel = keys.channel(key);
      let entry = channels.get(channel);
      if (!entry) {
        entry = { key, listeners: new Set() };
        channels.set(channel, entry);
        subscriber.start();
        subscribeInBackground(channel);
      }
      const listener: Listener = (change) => onChange(change);
      entry.listeners.add(listener);
      return () => {
        const current = channels.get(channel);
        if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
        channels.delete(channel);
        if (!stopped && subscriber.client.isOpen)
          subscriber.client.unsubscribe(channel, dispatch).catch(() => {});
      };
    },

    async publish(change) {
      const value =
        change.kind === 'set' && change.record ? codec.encode(change.key, change.record) : undefined;
      const message = encodeChange({ kind: change.kind, origin, ...(value === undefined ? {} : { value }) });
      await commands.client.publish(keys.channel(change.key), message);
    },

    async settle(operation) {
      subscriber.start();
      await subscriber.run(operation, undefined, async () => {
        await Promise.all([...channels.keys()].map(subscribe));
      });
    },

    onSubscriberReady(reconnected) {
      if (stopped) return;
      for (const channel of channels.keys()) subscribeInBackground(channel);
      // An unsubscribe lost with the old connection leaves a channel node-redis resubscribed.
      for (const channel of subscriber.client.getPubSubListeners('CHANNELS').keys()) {
        if (!channels.has(channel)) subscriber.client.unsubscribe(channel).catch(() => {});
      }
      if (reconnected) for (const entry of channels.values()) void catchUp(entry.key, entry.listeners);
    },

    stop() {
      stopped = true;
    },
  };
}
