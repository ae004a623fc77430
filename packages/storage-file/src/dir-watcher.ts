// Watching the token directory for changes to its entries, robust to the directory being
// removed or replaced.
import { type FSWatcher, statSync, watch } from 'node:fs';

/** Options of {@link watchDirectory}. */
export interface DirWatchOptions {
  /** Directory to watch (not recursive). */
  dir: string;
  /** Window in ms during which a burst of events is gathered into one `onChange` call. */
  debounceMs: number;
  /**
   * Called after a burst of events with the names of the entries they were about, and after the
   * watch is re-armed on a recreated directory with `undefined` (anything may have changed; also
   * when the platform did not name an entry).
   */
  onChange(names: ReadonlySet<string> | undefined): void;
}

/** Slowest retry, in ms, while the watched directory does not exist. */
const MAX_REARM_MS = 1_000;

/**
 * Watches a directory for any change to its entries, robustly:
 *
 * - a burst of events (a rename-based write emits several; an editor more) becomes one
 *   `onChange` call at most `debounceMs` after the first event, even under constant churn;
 * - when the directory itself is removed, renamed or replaced (a new inode at the same path),
 *   the watch is re-armed on whatever is at the path now, retrying while nothing is there, and
 *   `onChange` runs once re-armed (changes made meanwhile produced no events).
 *
 * The watcher and its timers do not keep the process alive. Returns a function that stops it.
 */
export function watchDirectory(options: DirWatchOptions): () => void {
  const { dir, debounceMs } = options;
  let watcher: FSWatcher | undefined;
  let identity: string | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let rearmTimer: NodeJS.Timeout | undefined;
  let rearmDelay = 25;
  let stopped = false;
  /** Entries named by the events of the burst being gathered; `undefined`: one was not named. */
  let burst: Set<string> | undefined = new Set();

  const identityNow = (): string | undefined => {
    try {
      const stats = statSync(dir);
      return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined;
    } catch {
      return undefined;
    }
  };

  const notify = (names: ReadonlySet<string> | undefined) => {
    try {
      options.onChange(names);
    } catch {
      // The subscriber machinery reports its own failures; the watch keeps running.
    }
  };

  const disarm = () => {
    watcher?.close();
    watcher = undefined;
    identity = undefined;
  };

  const scheduleRearm = () => {
    if (stopped || rearmTimer) return;
    rearmTimer = setTimeout(() => {
      rearmTimer = undefined;
      if (arm()) {
        rearmDelay = 25;
        notify(undefined);
      } else {
        rearmDelay = Math.min(rearmDelay * 2, MAX_REARM_MS);
        scheduleRearm();
      }
    }, rearmDelay);
    rearmTimer.unref();
  };

  const flush = () => {
    flushTimer = undefined;
    if (stopped) return;
    let names = burst;
    burst = new Set();
    // The directory may have been removed or replaced: its old inode sends no more events.
    if (identityNow() !== identity) {
      names = undefined;
      disarm();
      if (arm()) rearmDelay = 25;
      else scheduleRearm();
    }
    notify(names);
  };

  const onEvent = (_event?: string, filename?: string | Buffer | null) => {
    if (stopped) return;
    if (typeof filename === 'string' && filename !== '') burst?.add(filename);
    else burst = undefined;
    if (flushTimer) return;
    flushTimer = setTimeout(flush, debounceMs);
    flushTimer.unref();
  };

  function arm(): boolean {
    const before = identityNow();
    if (before === undefined) return false;
    try {
      watcher = watch(dir, { persistent: false }, onEvent);
    } catch {
      return false;
    }
    watcher.on('error', () => {
      disarm();
      scheduleRearm();
    });
    identity = before;
    // Replaced between the stat and the watch: check again on the next flush.
    if (identityNow() !== before) onEvent('rename', null);
    return true;
  }

  if (!arm()) scheduleRearm();

  return () => {
    stopped = true;
    if (flushTimer) clearTimeout(flushTimer);
    if (rearmTimer) clearTimeout(rearmTimer);
    disarm();
  };
}
