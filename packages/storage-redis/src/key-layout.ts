/** The Redis names one store uses, all under its prefix. */
export interface KeyLayout {
  /** Keyv namespace of the records: a record lives at `<namespace>:<account key>`. */
  recordNamespace: string;
  /** Redis key of the record of `key`: `<prefix>token:<key>`. */
  record(key: string): string;
  /** Redis key of the lock on `key`: `<prefix>lock:<key>`. */
  lock(key: string): string;
  /** Pub/sub channel announcing changes of `key`: `<prefix>changes:<key>`. */
  channel(key: string): string;
}

/**
 * Key layout under `prefix` (e.g. `hft:`): records at `hft:token:<account key>`, locks at
 * `hft:lock:<account key>`, change notifications on channel `hft:changes:<account key>`. Records,
 * locks and channels never share a name, so listing records never meets a lock.
 */
export function keyLayout(prefix: string): KeyLayout {
  const recordNamespace = `${prefix}token`;
  return {
    recordNamespace,
    record: (key) => `${recordNamespace}:${key}`,
    lock: (key) => `${prefix}lock:${key}`,
    channel: (key) => `${prefix}changes:${key}`,
  };
}
