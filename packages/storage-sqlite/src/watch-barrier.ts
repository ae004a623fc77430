/**
 * Baseline reads in flight, per database (absolute path + table), shared by every store of this
 * process. A watcher must read the current value of a key before it can tell that the key
 * changed; a write racing that first read would be taken for the starting value and never
 * reported. Statements of the stores over the same database wait for these reads, so a write
 * made in this process after `watch()` returns is always seen as a change.
 */
const pending = new Map<string, Set<Promise<void>>>();

/** Registers `read` (which must never reject) as a baseline read in flight on `database`. */
export function holdStatements(database: string, read: Promise<void>): void {
  let reads = pending.get(database);
  if (!reads) {
    reads = new Set();
    pending.set(database, reads);
  }
  const set = reads;
  set.add(read);
  void read.then(() => {
    set.delete(read);
    if (set.size === 0 && pending.get(database) === set) pending.delete(database);
  });
}

/** Resolves once the baseline reads on `database` in flight now have settled (at once if none). */
export function baselineReadsSettled(database: string): Promise<void> | undefined {
  const reads = pending.get(database);
  if (!reads || reads.size === 0) return undefined;
  return Promise.all(reads).then(() => undefined);
}
