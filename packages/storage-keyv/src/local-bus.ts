import type { TokenStoreChange, Unsubscribe } from '@hft/auth-core/store';

/** In-process change notifications shared by every store over the same Keyv object. */
export interface LocalBus {
  publish(change: TokenStoreChange): void;
  subscribe(key: string, onChange: (change: TokenStoreChange) => void): Unsubscribe;
}

const buses = new WeakMap<object, LocalBus>();

/** The bus of `owner` (a Keyv instance), created on first use. */
export function localBus(owner: object): LocalBus {
  let bus = buses.get(owner);
  if (bus) return bus;
  const subscribers = new Map<string, Set<(change: TokenStoreChange) => void>>();
  bus = {
    publish(change) {
      for (const subscriber of subscribers.get(change.key) ?? []) {
        // Asynchronous like a real backend: a throwing subscriber never fails the write.
        queueMicrotask(() => {
          try {
            subscriber(change);
          } catch {
            // The subscriber's own failure.
          }
        });
      }
    },
    subscribe(key, onChange) {
      let set = subscribers.get(key);
      if (!set) {
        set = new Set();
        subscribers.set(key, set);
      }
      set.add(onChange);
      return () => {
        set.delete(onChange);
      };
    },
  };
  buses.set(owner, bus);
  return bus;
}
