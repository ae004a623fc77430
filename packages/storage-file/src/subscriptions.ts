// Watch bookkeeping of one token directory: the shared change fan-out holds who watches which
// key (or every key) and what each key last looked like; this file adds the directory watcher
// that runs while anyone watches, and the peek that turns a burst of file events into changes.
import { mkdirSync, readdirSync } from 'node:fs';
import { createChangeFanout, type TokenStoreChange, type Unsubscribe } from '@hft/auth-core/store';
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

/** The file name of `key`'s own file (`undefined` for a key no file can be named after). */
function ownFileOf(key: string): string | undefined {
  const match = /^upstox:([^:]+):([^:]+)$/.exec(key);
  return match ? namedFileFor(match[1]!, match[2]!) : undefined;
}

/**
 * Creates the watch bookkeeping of one store. A key's version in the fan-out is its peek state
 * (the file text, `undefined` for none, {@link UNREADABLE}), taken when the key is first watched
 * and after each burst of directory events. A burst names the entries it was about, and only the
 * keys whose files those are get read: a watcher of A is not woken, and A's file is not even
 * read, when B's file changes (unless the default file, which may hold any account, changed
 * too, or the platform did not name the entries).
 */
export function createSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { dir, debounceMs, peek } = options;
  /** What watchers of every key last saw of keys nobody watches by key (a key never seen is new). */
  const allLast = new Map<string, PeekState | typeof LISTED>();
  let defaultHeld: string | undefined;
  let stopWatching: (() => void) | undefined;
  let checking = false;
  /** Entries to check on the next pass; `undefined`: everything. */
  let pending: Set<string> | undefined = new Set();
  let closed = false;

  // Sync delivery: listeners run from the directory check, already off every write path.
  const changes = createChangeFanout({
    delivery: 'sync',
    onUnwatched: () => stopIfIdle(),
  });

  function stopIfIdle(): void {
    if (changes.size === 0 && !changes.watchingAll && stopWatching) {
      stopWatching();
      stopWatching = undefined;
    }
  }

  /** The keys whose state the entries `names` (`undefined`: all) may have changed. */
  function keysTouched(names: ReadonlySet<string> | undefined): Set<string> {
    const keys = new Set<string>();
    const watched = changes.keys();
    if (names === undefined) {
      for (const key of [...watched, ...allLast.keys()]) keys.add(key);
    } else {
      for (const key of watched) {
        const own = ownFileOf(key);
        if (own !== undefined && names.has(own)) keys.add(key);
      }
      if (changes.watchingAll) {
        for (const name of names) {
          const kind = classifyFileName(name);
          if (kind.kind === 'named') keys.add(kind.key);
        }
      }
    }
    if (names === undefined || names.has(DEFAULT_TOKEN_FILE)) {
      for (const key of watched) keys.add(key);
      if (changes.watchingAll) {
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
        for (const key of keysTouched(batch)) {
          const now = await peek.peek(key);
          // Could not tell: keep the last view and wait for the next event.
          if (now === UNREADABLE) continue;
          const change: TokenStoreChange = { key, kind: now === undefined ? 'delete' : 'set' };
          if (changes.has(key)) {
            // From "could not tell" to "absent" is no news.
            if (now === undefined && changes.lastVersion(key) === UNREADABLE) changes.remember(key, now);
            // Delivered to the key's watchers and to watchers of every key, once per change.
            else changes.publish(change, now);
            if (changes.watchingAll) {
              if (now === undefined) allLast.delete(key);
              else allLast.set(key, now);
            }
          } else if (changes.watchingAll && allLast.get(key) !== now) {
            const known = allLast.has(key);
            if (now === undefined) allLast.delete(key);
            else allLast.set(key, now);
            if (now !== undefined || known) changes.publish(change);
          }
        }
      }
    } finally {
      checking = false;
      if (pending === undefined) pending = new Set();
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

  return {
    add(key, onChange) {
      const first = !changes.has(key);
      // The baseline is taken before `watch()` returns, so a change right after it is news.
      const baseline = first ? peek.peekSync(key) : undefined;
      const unsubscribe = changes.subscribe(key, onChange);
      if (first) changes.remember(key, baseline);
      startWatching();
      return unsubscribe;
    },
    addAll(onChange) {
      if (!changes.watchingAll) baseline();
      const unsubscribe = changes.subscribeAll(onChange);
      startWatching();
      return () => {
        unsubscribe();
        if (!changes.watchingAll) allLast.clear();
        stopIfIdle();
      };
    },
    close() {
      closed = true;
      changes.clear();
      allLast.clear();
      stopWatching?.();
      stopWatching = undefined;
    },
  };
}
