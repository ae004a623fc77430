// Watch bookkeeping: who watches which key, what each last saw, and one directory watcher
// while anyone watches. Kept apart so a shared change fan-out can take its place.
import { mkdirSync } from 'node:fs';
import type { TokenStoreChange, Unsubscribe } from '@hft/auth-core/store';
import { type ChangePeek, type PeekState, UNREADABLE } from './change-peek.js';
import { watchDirectory } from './dir-watcher.js';
import { DIR_MODE } from './file-io.js';

/** Options of {@link createSubscriptions}. */
export interface SubscriptionsOptions {
  /** The token directory to watch. */
  dir: string;
  /** Window, in ms, that gathers a burst of file events into one check. */
  debounceMs: number;
  /** Reads the state of a key. */
  peek: ChangePeek;
}

/** The subscribers of one store (see {@link createSubscriptions}). */
export interface Subscriptions {
  /** Calls `onChange` when the file state of `key` changes; returns the function that stops it. */
  add(key: string, onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /** Drops every subscriber and stops watching. */
  close(): void;
}

interface Subscription {
  key: string;
  onChange: (change: TokenStoreChange) => void;
  last: PeekState;
}

/** Creates the watch bookkeeping of one store. */
export function createSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { dir, debounceMs, peek } = options;
  const subscriptions = new Set<Subscription>();
  let stopWatching: (() => void) | undefined;
  let checking = false;
  let checkAgain = false;
  let closed = false;

  async function check(): Promise<void> {
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    try {
      do {
        checkAgain = false;
        for (const key of new Set([...subscriptions].map((s) => s.key))) {
          const now = await peek.peek(key);
          if (now === UNREADABLE) continue;
          for (const sub of subscriptions) {
            if (sub.key !== key || sub.last === now) continue;
            const before = sub.last;
            sub.last = now;
            // From "could not tell" to "absent" is no news.
            if (now === undefined && before === UNREADABLE) continue;
            try {
              sub.onChange({ key, kind: now === undefined ? 'delete' : 'set' });
            } catch {
              // A subscriber's failure is its own; other subscribers still hear of the change.
            }
          }
        }
      } while (checkAgain && !closed);
    } finally {
      checking = false;
    }
  }

  function startWatching(): void {
    try {
      // Watching needs the directory; a path that cannot be created is retried by the watcher.
      mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    } catch {
      // The watcher keeps retrying until the directory exists.
    }
    stopWatching = watchDirectory({
      dir,
      debounceMs,
      onChange: () => {
        void check();
      },
    });
  }

  return {
    add(key, onChange) {
      const sub: Subscription = { key, onChange, last: peek.peekSync(key) };
      subscriptions.add(sub);
      if (!stopWatching) startWatching();
      return () => {
        subscriptions.delete(sub);
        if (subscriptions.size === 0 && stopWatching) {
          stopWatching();
          stopWatching = undefined;
        }
      };
    },
    close() {
      closed = true;
      subscriptions.clear();
      stopWatching?.();
      stopWatching = undefined;
    },
  };
}
