// Watch bookkeeping: who watches which key, what each last saw, and one directory watcher
// while anyone watches. Kept apart so a shared change fan-out can take its place.
import { mkdirSync, readdirSync } from 'node:fs';
import type { TokenStoreChange, Unsubscribe } from '@hft/auth-core/store';
import { type ChangePeek, type PeekState, UNREADABLE } from './change-peek.js';
import { watchDirectory } from './dir-watcher.js';
import { DIR_MODE } from './file-io.js';
import { classifyFileName, DEFAULT_TOKEN_FILE, namedFileFor } from './file-names.js';

/** Options of {@link createSubscriptions}. */
export interface SubscriptionsOptions {
  /** The token directory to watch. */
  dir: string;
  /** Window, in ms, that gathers a burst of file events into one check. */
  debounceMs: number;
  /** Reads the state of a key. */
  peek: ChangePeek;
  /** The account key the default file holds now (`undefined`: none, or it cannot be told). */
  defaultHolder(): string | undefined;
}

/** The subscribers of one store (see {@link createSubscriptions}). */
export interface Subscriptions {
  /** Calls `onChange` when the file state of `key` changes; returns the function that stops it. */
  add(key: string, onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /** Calls `onChange` when the file state of any key changes (keys stored later too). */
  addAll(onChange: (change: TokenStoreChange) => void): Unsubscribe;
  /** Drops every subscriber and stops watching. */
  close(): void;
}

/** The state of a key listed, not read, when a watcher of every key started. */
const LISTED = Symbol('listed');

interface Subscription {
  key: string;
  onChange: (change: TokenStoreChange) => void;
  last: PeekState;
}

/** The file name of `key`'s own file (`undefined` for a key no file can be named after). */
function ownFileOf(key: string): string | undefined {
  const match = /^upstox:([^:]+):([^:]+)$/.exec(key);
  return match ? namedFileFor(match[1]!, match[2]!) : undefined;
}

/**
 * Creates the watch bookkeeping of one store. A burst of file events names the entries it was
 * about, and only the keys whose files those are get read: a watcher of A is not woken, and
 * A's file is not even read, when B's file changes (unless the default file, which may hold any
 * account, changed too, or the platform did not name the entries).
 */
export function createSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { dir, debounceMs, peek } = options;
  const subscriptions = new Set<Subscription>();
  const everyKey = new Set<(change: TokenStoreChange) => void>();
  /** What watchers of every key last saw, per key (a key never seen counts as new). */
  const allLast = new Map<string, PeekState | typeof LISTED>();
  let defaultHeld: string | undefined;
  let stopWatching: (() => void) | undefined;
  let checking = false;
  /** Entries to check on the next pass; `undefined`: everything. */
  let pending: Set<string> | undefined = new Set();
  let closed = false;

  const tell = (listener: (change: TokenStoreChange) => void, change: TokenStoreChange) => {
    try {
      listener(change);
    } catch {
      // A subscriber's failure is its own; other subscribers still hear of the change.
    }
  };

  /** The keys whose state the entries `names` (`undefined`: all) may have changed. */
  async function keysTouched(names: ReadonlySet<string> | undefined): Promise<Set<string>> {
    const keys = new Set<string>();
    const watched = new Set([...subscriptions].map((s) => s.key));
    if (names === undefined) {
      for (const key of [...watched, ...allLast.keys()]) keys.add(key);
    } else {
      for (const key of watched) {
        const own = ownFileOf(key);
        if (own !== undefined && names.has(own)) keys.add(key);
      }
      if (everyKey.size > 0) {
        for (const name of names) {
          const kind = classifyFileName(name);
          if (kind.kind === 'named') keys.add(kind.key);
        }
      }
    }
    if (names === undefined || names.has(DEFAULT_TOKEN_FILE)) {
      for (const key of watched) keys.add(key);
      if (everyKey.size > 0) {
        const holder = options.defaultHolder();
        if (defaultHeld !== undefined) keys.add(defaultHeld);
        if (holder !== undefined) keys.add(holder);
        defaultHeld = holder;
      }
    }
    return keys;
  }

  async function check(names: ReadonlySet<string> | undefined): Promise<void> {
    if (pending !== undefined) {
      if (names === undefined) pending = undefined;
      else for (const name of names) pending.add(name);
    }
    if (checking) return;
    checking = true;
    try {
      while (!closed && (pending === undefined || pending.size > 0)) {
        const batch = pending;
        pending = new Set();
        for (const key of await keysTouched(batch)) {
          const now = await peek.peek(key);
          if (now === UNREADABLE) continue;
          const change: TokenStoreChange = { key, kind: now === undefined ? 'delete' : 'set' };
          for (const sub of subscriptions) {
            if (sub.key !== key || sub.last === now) continue;
            const before = sub.last;
            sub.last = now;
            // From "could not tell" to "absent" is no news.
            if (now === undefined && before === UNREADABLE) continue;
            tell(sub.onChange, { ...change });
          }
          if (everyKey.size > 0 && allLast.get(key) !== now) {
            const known = allLast.has(key);
            if (now === undefined) allLast.delete(key);
            else allLast.set(key, now);
            if (now !== undefined || known)
              for (const listener of [...everyKey]) tell(listener, { ...change });
          }
        }
      }
    } finally {
      checking = false;
    }
  }

  function startWatching(): void {
    if (stopWatching) return;
    try {
      // Watching needs the directory; a path that cannot be created is retried by the watcher.
      mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    } catch {
      // The watcher keeps retrying until the directory exists.
    }
    stopWatching = watchDirectory({
      dir,
      debounceMs,
      onChange: (names) => {
        void check(names);
      },
    });
  }

  /** The accounts there are when watching every key starts: names only, one directory read. */
  function baseline(): void {
    allLast.clear();
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // No directory yet: every account stored later is news.
    }
    for (const name of names) {
      const kind = classifyFileName(name);
      if (kind.kind === 'named') allLast.set(kind.key, LISTED);
    }
    defaultHeld = names.includes(DEFAULT_TOKEN_FILE) ? options.defaultHolder() : undefined;
    if (defaultHeld !== undefined && !allLast.has(defaultHeld)) allLast.set(defaultHeld, LISTED);
  }

  function stopIfIdle(): void {
    if (subscriptions.size === 0 && everyKey.size === 0 && stopWatching) {
      stopWatching();
      stopWatching = undefined;
    }
  }

  return {
    add(key, onChange) {
      const sub: Subscription = { key, onChange, last: peek.peekSync(key) };
      subscriptions.add(sub);
      startWatching();
      return () => {
        subscriptions.delete(sub);
        stopIfIdle();
      };
    },
    addAll(onChange) {
      const listener = (change: TokenStoreChange) => onChange(change);
      if (everyKey.size === 0) baseline();
      everyKey.add(listener);
      startWatching();
      return () => {
        everyKey.delete(listener);
        if (everyKey.size === 0) allLast.clear();
        stopIfIdle();
      };
    },
    close() {
      closed = true;
      subscriptions.clear();
      everyKey.clear();
      stopWatching?.();
      stopWatching = undefined;
    },
  };
}
