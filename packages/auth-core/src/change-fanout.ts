import type { TokenStoreChange, Unsubscribe } from './token-store.js';

/** Receives the changes of one watched key. */
export type ChangeListener = (change: TokenStoreChange) => void;

/** Options of {@link createChangeFanout}. */
export interface ChangeFanoutOptions {
  /**
   * When listeners run. `microtask` (default): each in its own microtask, after `publish`
   * returns, so a write never waits for its listeners nor fails with them. `sync`: before
   * `publish` returns, for callers that already run off the write path (pollers, pub/sub
   * handlers).
   */
  delivery?: 'microtask' | 'sync';
  /** Called when `key` gets its first listener (start watching it). */
  onWatched?(key: string): void;
  /** Called when the last listener of `key` is gone, unless by {@link ChangeFanout.clear}. */
  onUnwatched?(key: string): void;
}

/**
 * The watch bookkeeping every store shares: listeners per key, the last version seen per key
 * (so a repeat is dropped), and delivery that isolates a failing listener.
 */
export interface ChangeFanout {
  /**
   * Adds `listener` for changes of `key`. Every call is its own subscription, even with the same
   * function; the returned function ends this one only, and calling it again does nothing. A
   * listener that has unsubscribed hears nothing more, even of a change already published.
   */
  subscribe(key: string, listener: ChangeListener): Unsubscribe;
  /**
   * Adds `listener` for the changes of every key (a `watchAll`): it hears each change that
   * {@link publish} delivers, and each change of a key nobody watches one by one (no repeat check
   * for those: the caller decides what is news).
   */
  subscribeAll(listener: ChangeListener): Unsubscribe;
  /** Whether anyone listens to every key ({@link subscribeAll}). */
  readonly watchingAll: boolean;
  /**
   * Tells the listeners of `change.key`. Each gets its own copy of `change.record`, taken before
   * `publish` returns, so neither the caller nor another listener can change what it sees. A
   * listener that throws does not stop the others, nor the caller.
   *
   * @param version what the change left in the backend (a raw value, a file identity...):
   *   when passed (`undefined` too: "no record") and equal (`Object.is`) to the last version remembered for the key, the change
   *   is a repeat and is dropped; otherwise it becomes the key's last version.
   * @returns whether the change was delivered (false: a repeat, or nobody listens).
   *   Listeners of every key hear it as well (see {@link subscribeAll}).
   */
  publish(change: TokenStoreChange, version?: unknown): boolean;
  /** Records `version` as the last one seen for a watched `key` (a baseline), telling nobody. */
  remember(key: string, version: unknown): void;
  /** Whether a version is known for `key` ({@link remember} or a versioned {@link publish}). */
  knows(key: string): boolean;
  /** The last version known for `key`; `undefined` when none is (see {@link knows}). */
  lastVersion(key: string): unknown;
  /** Whether `key` has at least one listener. */
  has(key: string): boolean;
  /** The keys with at least one listener, in the order they were first watched. */
  keys(): string[];
  /** Number of keys with at least one listener. */
  readonly size: number;
  /** Drops every listener and version (a store's `close()`); calls no `onUnwatched`. */
  clear(): void;
}

interface Subscription {
  listener: ChangeListener;
  active: boolean;
}

interface Watched {
  subscriptions: Set<Subscription>;
  hasVersion: boolean;
  version: unknown;
}

const copyOf = (change: TokenStoreChange): TokenStoreChange =>
  change.record ? { ...change, record: structuredClone(change.record) } : { ...change };

function call(subscription: Subscription, change: TokenStoreChange): void {
  if (!subscription.active) return;
  try {
    subscription.listener(change);
  } catch {
    // A listener's own failure is its business: the write succeeded and the others still hear it.
  }
}

/**
 * Creates the change fan-out a `TokenStore` puts behind `watch`: the store decides what changed
 * (its own writes, a poll, a pub/sub message) and the fan-out tells the right listeners.
 */
export function createChangeFanout(options: ChangeFanoutOptions = {}): ChangeFanout {
  const sync = options.delivery === 'sync';
  const watched = new Map<string, Watched>();
  const everyKey = new Set<Subscription>();
  const deliver = (subscriptions: Iterable<Subscription>, change: TokenStoreChange) => {
    for (const subscription of subscriptions) {
      const copy = copyOf(change);
      if (sync) call(subscription, copy);
      else queueMicrotask(() => call(subscription, copy));
    }
  };

  return {
    subscribe(key, listener) {
      let entry = watched.get(key);
      const first = !entry;
      if (!entry) {
        entry = { subscriptions: new Set(), hasVersion: false, version: undefined };
        watched.set(key, entry);
      }
      const owner = entry;
      const subscription: Subscription = { listener, active: true };
      owner.subscriptions.add(subscription);
      if (first) options.onWatched?.(key);
      return () => {
        if (!subscription.active) return;
        subscription.active = false;
        owner.subscriptions.delete(subscription);
        if (owner.subscriptions.size > 0 || watched.get(key) !== owner) return;
        watched.delete(key);
        options.onUnwatched?.(key);
      };
    },

    subscribeAll(listener) {
      const subscription: Subscription = { listener, active: true };
      everyKey.add(subscription);
      return () => {
        subscription.active = false;
        everyKey.delete(subscription);
      };
    },

    get watchingAll() {
      return everyKey.size > 0;
    },

    publish(change: TokenStoreChange, ...version: unknown[]) {
      const entry = watched.get(change.key);
      if (!entry) {
        deliver([...everyKey], change);
        return everyKey.size > 0;
      }
      if (version.length > 0) {
        if (entry.hasVersion && Object.is(entry.version, version[0])) return false;
        entry.hasVersion = true;
        entry.version = version[0];
      }
      const subscriptions = [...entry.subscriptions, ...everyKey];
      if (subscriptions.length === 0) return false;
      deliver(subscriptions, change);
      return true;
    },

    remember(key, version) {
      const entry = watched.get(key);
      if (!entry) return;
      entry.hasVersion = true;
      entry.version = version;
    },

    knows: (key) => watched.get(key)?.hasVersion ?? false,
    lastVersion: (key) => watched.get(key)?.version,
    has: (key) => watched.has(key),
    keys: () => [...watched.keys()],
    get size() {
      return watched.size;
    },

    clear() {
      for (const entry of watched.values()) {
        for (const subscription of entry.subscriptions) subscription.active = false;
      }
      watched.clear();
      for (const subscription of everyKey) subscription.active = false;
      everyKey.clear();
    },
  };
}
