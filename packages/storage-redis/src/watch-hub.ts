import {
  createChangeFanout,
  type TokenRecord,
  type TokenStoreChange,
  type Unsubscribe,
} from '@hft/auth-core/store';
import { ErrorCodes, isHftError } from '@hft/errors';
import type { KeyLayout } from './key-layout.js';
import type { RedisConnection } from './redis-connection.js';

type Listener = (change: TokenStoreChange) => void;

/** Channel on which Redis (RESP2) delivers client-tracking invalidations to a redirect target. */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** Options of {@link createWatchHub}. */
export interface WatchHubOptions {
  /** The command connection: tracking is switched on here (its own writes are not reported). */
  commands: RedisConnection;
  /** The subscriber connection, which receives the invalidations of every watch of the store. */
  subscriber: RedisConnection;
  keys: KeyLayout;
  /** Reads the current record of `key` (after an invalidation, and to catch up after a loss). */
  read(key: string): Promise<TokenRecord | undefined>;
}

/** Cross-process change notifications through Redis client tracking. */
export interface WatchHub {
  /** Subscribes `onChange` to changes of `key` made by anyone but this store instance. */
  watch(key: string, onChange: Listener): Unsubscribe;
  /**
   * Resolves once the subscriber is connected and tracking is on; from then on every watch,
   * including ones added later, is live as soon as it is added.
   */
  settle(operation: string): Promise<void>;
  /** The subscriber connected (again): take its new id, re-point tracking, catch up after a loss. */
  onSubscriberReady(reconnected: boolean): void;
  /** The command connection connected again: its tracking was lost with the old socket. */
  onCommandsReady(reconnected: boolean): void;
  /** Stops delivering; the connections themselves are closed by the store. */
  stop(): void;
}

/**
 * Watches over Redis client tracking in broadcast mode: the command connection runs
 * `CLIENT TRACKING ON REDIRECT <subscriber id> BCAST PREFIX <prefix>token: NOLOOP`, and the
 * subscriber connection listens on `__redis__:invalidate`. Redis itself then announces every
 * change of a record (a store's set or delete, a write by any other client, an expiry, a flush),
 * so a write is one plain `SET` with nothing to publish. An invalidation names the key only: the
 * hub reads the record once per burst of invalidations and tells every listener of that key.
 * `NOLOOP` keeps this instance's own writes out (the store tells its own watchers directly).
 * Invalidations sent while the subscriber is away are lost, so after a reconnect of either
 * connection every watched key is re-read and reported once.
 */
export function createWatchHub(options: WatchHubOptions): WatchHub {
  const { commands, subscriber, keys, read } = options;
  // Each listener gets its own copy of a record: one must not see another's mutations.
  const watched = createChangeFanout({ delivery: 'sync' });
  const reads = new Map<string, { again: boolean }>();
  let stopped = false;
  // Set by the first watch or connect(): from then on tracking is kept on, so a watch added
  // later is live the moment it is added.
  let active = false;
  let subscriberId: number | undefined;
  // Tracking changes run one after another, in the order they were asked for.
  let chain: Promise<void> = Promise.resolve();
  let lastSetup: Promise<void> = Promise.resolve();

  /**
   * Reads `key` and reports what is there now. Invalidations that arrive during the read make
   * it read again instead of reporting a value that is already stale.
   */
  const report = (key: string) => {
    const pending = reads.get(key);
    if (pending) {
      pending.again = true;
      return;
    }
    const state = { again: false };
    reads.set(key, state);
    void (async () => {
      try {
        do {
          state.again = false;
          let change: TokenStoreChange | undefined;
          try {
            const record = await read(key);
            change = record ? { key, kind: 'set', record } : { key, kind: 'delete' };
          } catch (error) {
            // Redis unreachable: the reconnect catches up. Anything else (wrong key, tampered,
            // corrupt): report the change without a record, so watchers re-read and meet it.
            const unavailable = isHftError(error) && error.code === ErrorCodes.STORAGE_UNAVAILABLE;
            change = unavailable ? undefined : { key, kind: 'set' };
          }
          if (change && !state.again && !stopped) watched.publish(change);
        } while (state.again && !stopped);
      } finally {
        reads.delete(key);
      }
    })();
  };

  const onInvalidate = (message: unknown) => {
    if (stopped) return;
    // `null`: the whole database was flushed.
    if (message === null || message === undefined) {
      for (const key of watched.keys()) report(key);
      return;
    }
    const names = Array.isArray(message) ? message : [message];
    for (const name of names) {
      const key = keys.accountOf(String(name));
      if (key !== undefined && watched.has(key)) report(key);
    }
  };

  const trackingCommand = (id: number) => [
    'CLIENT',
    'TRACKING',
    'ON',
    'REDIRECT',
    String(id),
    'BCAST',
    'PREFIX',
    `${keys.recordNamespace}:`,
    'NOLOOP',
  ];

  /** Points the command connection's tracking at the subscriber (`OFF` first: BCAST cannot be re-issued). */
  const pointTracking = async (operation: string) => {
    const id = subscriberId;
    if (id === undefined) return;
    await commands.run(operation, undefined, async (client) => {
      await client.sendCommand(['CLIENT', 'TRACKING', 'OFF']);
      await client.sendCommand(trackingCommand(id));
    });
  };

  /**
   * On a fresh subscriber socket: drop what node-redis re-subscribed (a subscribed RESP2
   * connection cannot run `CLIENT ID`), learn the new id, listen, and point tracking at it.
   */
  const setUpSubscriber = async (operation: string) => {
    await subscriber.run(operation, undefined, async (client) => {
      if (client.isPubSubActive) await client.unsubscribe();
      subscriberId = await client.clientId();
      await client.subscribe(INVALIDATE_CHANNEL, onInvalidate);
    });
    await pointTracking(operation);
  };

  const enqueue = (step: () => Promise<void>, catchUp: boolean): Promise<void> => {
    const run = chain.then(async () => {
      if (stopped || !active) return;
      await step();
      if (catchUp) for (const key of watched.keys()) report(key);
    });
    // A failed step is retried by the next ready event; the chain itself goes on.
    chain = run.catch(() => {});
    lastSetup = run;
    return run;
  };

  return {
    watch(key, onChange) {
      const stop = watched.subscribe(key, onChange);
      if (!active) {
        active = true;
        if (subscriber.isReady) void enqueue(() => setUpSubscriber('watch'), false).catch(() => {});
        else subscriber.start();
      }
      return stop;
    },

    async settle(operation) {
      active = true;
      subscriber.start();
      await subscriber.ready(operation);
      // The ready event has queued the set-up; if it failed (or none was queued), try once more
      // here so the caller hears why.
      await lastSetup.catch(() => {});
      if (subscriberId === undefined) await enqueue(() => setUpSubscriber(operation), false);
    },

    onSubscriberReady(reconnected) {
      if (stopped) return;
      subscriberId = undefined;
      void enqueue(() => setUpSubscriber('watch'), reconnected).catch(() => {});
    },

    onCommandsReady(reconnected) {
      if (stopped || !reconnected) return;
      void enqueue(() => pointTracking('watch'), true).catch(() => {});
    },

    stop() {
      stopped = true;
    },
  };
}
