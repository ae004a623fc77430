/** Removes a listener added with {@link TypedEmitter.on}. */
export type Off = () => void;

/**
 * A minimal typed event emitter. Unlike node's EventEmitter, an `error` event without listeners
 * does not throw, and a throwing listener never breaks the emitter or the other listeners.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: (payload: never) => void }> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Adds `listener` for `event`; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): Off {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Like {@link on}, but the listener runs at most once. */
  once<K extends keyof Events>(event: K, listener: Events[K]): Off {
    const wrapped = ((payload: never) => {
      off();
      (listener as (p: never) => void)(payload);
    }) as Events[K];
    const off = this.on(event, wrapped);
    return off;
  }

  /** Removes `listener`. */
  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Number of listeners for `event`. */
  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, payload: Parameters<Events[K]>[0]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (p: typeof payload) => void)(payload);
      } catch {
        // A listener's failure must not stop token handling or the other listeners.
      }
    }
  }
}
