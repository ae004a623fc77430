// Watch bookkeeping of one token directory: the shared change fan-out holds who watches which
// key and what each key last looked like; this file adds the directory watcher that runs while
// anyone watches, and the peek that turns a burst of file events into changes.
import { mkdirSync } from 'node:fs';
import { createChangeFanout, type TokenStoreChange, type Unsubscribe } from '@hft/auth-core/store';
import { type ChangePeek, UNREADABLE } from './change-peek.js';
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

/**
 * Creates the watch bookkeeping of one store. A key's version in the fan-out is its peek state
 * (the file text, `undefined` for none, {@link UNREADABLE}), taken when the key is first watched
 * and after each burst of directory events.
 */
export function createSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { dir, debounceMs, peek } = options;
  let stopWatching: (() => void) | undefined;
  let checking = false;
  let checkAgain = false;
  let closed = false;

  // Sync delivery: listeners run from the directory check, already off every write path.
  const changes = createChangeFanout({
    delivery: 'sync',
    onUnwatched() {
      if (changes.size === 0) stop();
    },
  });

  function stop(): void {
    stopWatching?.();
    stopWatching = undefined;
  }

  async function check(): Promise<void> {
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    try {
      do {
        checkAgain = false;
        for (const key of changes.keys()) {
          const now = await peek.peek(key);
          // Could not tell: keep the last view and wait for the next event.
          if (now === UNREADABLE) continue;
          // From "could not tell" to "absent" is no news.
          if (now === undefined && changes.lastVersion(key) === UNREADABLE) {
            changes.remember(key, now);
            continue;
          }
          changes.publish({ key, kind: now === undefined ? 'delete' : 'set' }, now);
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
      const first = !changes.has(key);
      // The baseline is taken before `watch()` returns, so a change right after it is news.
      const baseline = first ? peek.peekSync(key) : undefined;
      const unsubscribe = changes.subscribe(key, onChange);
      if (first) changes.remember(key, baseline);
      if (!stopWatching) startWatching();
      return unsubscribe;
    },
    close() {
      closed = true;
      changes.clear();
      stop();
    },
  };
}
