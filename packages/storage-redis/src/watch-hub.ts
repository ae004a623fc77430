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

/** Tracked reads in flight per store scope (server, database and prefix), shared by every store of this process. */
const armingByScope = new Map<string, Set<Promise<unknown>>>();

/**
 * Resolves once the watches of `scope` added in this process so far are armed (at once when
 * none is pending): a write made in this process after `watch()` returned is then heard.
 */
export function watchesArmed(scope: string): Promise<void> | undefined {
  const pending = armingByScope.get(scope);
  if (!pending || pending.size === 0) return undefined;
  return Promise.all(pending).then(() => undefined);
}

/** Options of {@link createWatchHub}. */
export interface WatchHubOptions {
  /** The command connection: tracking is switched on here (its own writes are not reported). */
  commands: RedisConnection;
  /** The subscriber connection, which receives the invalidations of every watch of the store. */
  subscriber: RedisConnection;
  keys: KeyLayout;
  /** The store's scope for {@link watchesArmed}: server, database and prefix. */
  scope: string;
  /**
   * Reads the current record of `key` from its stored value (`null`: no record); throws what
   * `get` would throw for it.
   */
  decode(key: string, stored: string | null): TokenRecord | undefined;
}

/** Cross-process change notifications through Redis client tracking. */
export interface WatchHub {
  /** Subscribes `onChange` to changes of `key` made by anyone but this store instance. */
  watch(key: string, onChange: Listener): Unsubscribe;
  /** Subscribes `onChange` to changes of every record of the store (accounts stored later too). */
  watchAll(onChange: Listener): Unsubscribe;
  /** Resolves once the tracked reads that arm the watches added so far are done. */
  armed(): Promise<void>;
  /**
   * This instance wrote `stored` (`null`: deleted) under `key`. Redis stops tracking a key for
   * every client when it changes, and `NOLOOP` tells the writer nothing, so a watched key is
   * read again (tracked); a value other than the one written means another write came between,
   * and it is reported.
   */
  wrote(key: string, stored: string | null): void;
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
 * Watches over Redis client tracking, redirected to the subscriber connection, which listens on
 * `__redis__:invalidate`. Redis itself then announces every change of a watched record (a
 * store's set or delete, a write by any other client, an expiry, a flush), so a write has
 * nothing to publish.
 *
 * - Watching single accounts: `CLIENT TRACKING ON REDIRECT <subscriber id> OPTIN NOLOOP`, and
 *   each watched record is read with `CLIENT CACHING YES` just before its `GET`, so Redis tracks
 *   exactly the watched keys for this connection and sends nothing about any other account: the
 *   watcher of A is not woken when B rotates. Redis forgets a key once it has sent its
 *   invalidation; the hub's re-read (tracked again) keeps it watched.
 * - Watching every account (`watchAll`): broadcast mode on the record namespace,
 *   `... BCAST PREFIX <prefix>token: NOLOOP`, which also covers accounts stored later; the
 *   watchers of single accounts of the same store are served from it meanwhile.
 *
 * An invalidation names the key only: the hub reads the record once per burst of
 * invalidations and tells every listener of that key. `NOLOOP` keeps this instance's own
 * writes out (the store tells its own watchers directly). Invalidations sent while the
 * subscriber is away are lost, so after a reconnect of either connection every watched key is
 * re-read and reported once.
 */
export function createWatchHub(options: WatchHubOptions): WatchHub {
  const { commands, subscriber, keys, decode, scope } = options;
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
  /** Tracked reads in flight (each arms one key's watch on the server). */
  const arming = new Set<Promise<unknown>>();

  const broadcast = () => watched.watchingAll;

  /**
   * Reads `key` on the command connection, asking Redis to track it for this connection
   * (`CLIENT CACHING YES` applies to the next command only: both go out back to back, with
   * nothing in between). In broadcast mode everything is tracked already, and `CACHING` is refused.
   */
  const trackedRaw = (key: string): Promise<string | null> =>
    commands.run('watch', key, async (client) => {
      const caching = broadcast() ? undefined : client.sendCommand(['CLIENT', 'CACHING', 'YES']);
      const value = client.get(keys.record(key));
      // Refused only while tracking is being switched between modes, which re-reads every key.
      await caching?.catch(() => {});
      return value;
    });
  const trackedRead = async (key: string): Promise<TokenRecord | undefined> =>
    decode(key, await trackedRaw(key));

  /** Counts `step` (a tracked read, a switch of mode) among what writes of this process wait for. */
  const hold = (step: Promise<unknown>) => {
    const read = step.catch(() => {
      // An outage: the reconnect re-arms every watched key.
    });
    arming.add(read);
    let shared = armingByScope.get(scope);
    if (!shared) {
      shared = new Set();
      armingByScope.set(scope, shared);
    }
    const set = shared;
    set.add(read);
    void read.then(() => {
      arming.delete(read);
      set.delete(read);
      if (set.size === 0 && armingByScope.get(scope) === set) armingByScope.delete(scope);
    });
  };

  /** Arms the watch of `key` (a tracked read whose value nobody is told of). */
  const arm = (key: string) => {
    if (!broadcast()) hold(trackedRead(key));
  };

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
            const record = await trackedRead(key);
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
      if (key !== undefined && (watched.has(key) || watched.watchingAll)) report(key);
    }
  };

  const trackingCommand = (id: number) => [
    'CLIENT',
    'TRACKING',
    'ON',
    'REDIRECT',
    String(id),
    ...(broadcast() ? ['BCAST', 'PREFIX', `${keys.recordNamespace}:`] : ['OPTIN']),
    'NOLOOP',
  ];

  /**
   * Points the command connection's tracking at the subscriber, in the mode the watches need
   * now (`OFF` first: a mode cannot be re-issued over another), then arms every watched key.
   */
  const pointTracking = async (operation: string) => {
    const id = subscriberId;
    if (id === undefined) return;
    await commands.run(operation, undefined, async (client) => {
      await client.sendCommand(['CLIENT', 'TRACKING', 'OFF']);
      await client.sendCommand(trackingCommand(id));
    });
    for (const key of watched.keys()) arm(key);
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

  const activate = () => {
    if (active) return false;
    active = true;
    if (subscriber.isReady) void enqueue(() => setUpSubscriber('watch'), false).catch(() => {});
    else subscriber.start();
    return true;
  };

  return {
    watch(key, onChange) {
      const first = !watched.has(key);
      const stop = watched.subscribe(key, onChange);
      // Once tracking is set up, a new key is armed here; before, the set-up arms every key.
      if (!activate() && first && subscriberId !== undefined) arm(key);
      return stop;
    },

    watchAll(onChange) {
      const wasBroadcast = broadcast();
      const stop = watched.subscribeAll(onChange);
      if (!activate() && !wasBroadcast) hold(enqueue(() => pointTracking('watch'), true));
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        stop();
        // Back to tracking only the watched keys (re-read once: the switch has a gap).
        if (!broadcast() && !stopped) hold(enqueue(() => pointTracking('watch'), true));
      };
    },

    wrote(key, stored) {
      if (stopped || broadcast() || !watched.has(key) || subscriberId === undefined) return;
      hold(
        trackedRaw(key).then((now) => {
          if (now !== stored) report(key);
        }),
      );
    },

    async armed() {
      await lastSetup.catch(() => {});
      await Promise.all([...arming]);
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
