import type { TokenStoreChange, Unsubscribe } from '@hft/auth-core/store';

/** In-process change notifications shared by every store over the same Keyv object. */
export interface LocalBus {
  /**
   * Tells this process's subscribers of `change.key`. The record is copied (once, and only when
   * someone listens) before `publish` returns, so the caller may keep using its object.
   */
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
      const listening = subscribers.get(change.key);
      if (!listening?.size) return;
      const copy = change.record ? { ...change, record: structuredClone(change.record) } : change;
      for (const subscriber of listening) {
        // Asynchronous like a real backend: a throwing subscriber never fails the write.
        queueMicrotask(() => {
          try {
            subscriber(copy);
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
