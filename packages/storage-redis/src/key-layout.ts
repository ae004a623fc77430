/** The Redis names one store uses, all under its prefix. */
export interface KeyLayout {
  /** Keyv namespace of the records: a record lives at `<namespace>:<account key>`. */
  recordNamespace: string;
  /** Redis key of the record of `key`: `<prefix>token:<key>`. */
  record(key: string): string;
  /** Redis key of the account index (a hash of summaries): `<prefix>accounts`. */
  index: string;
  /** Redis key of the name index (a hash, account name -> account key): `<prefix>names`. */
  names: string;
  /** Redis key of the lock on `key`: `<prefix>lock:<key>`. */
  lock(key: string): string;
  /** The account key of a record's Redis key, or `undefined` for any other Redis key. */
  accountOf(redisKey: string): string | undefined;
}

/**
 * Key layout under `prefix` (e.g. `hft:`): records at `hft:token:<account key>`, locks at
 * `hft:lock:<account key>`, the account index at `hft:accounts`. Records and locks never share
 * a name, so listing records (and tracking the `hft:token:` prefix for watches) never meets a lock.
 */
export function keyLayout(prefix: string): KeyLayout {
  const recordNamespace = `${prefix}token`;
  return {
    recordNamespace,
    record: (key) => `${recordNamespace}:${key}`,
    index: `${prefix}accounts`,
    names: `${prefix}names`,
    lock: (key) => `${prefix}lock:${key}`,
    accountOf: (redisKey) =>
      redisKey.startsWith(`${recordNamespace}:`) ? redisKey.slice(recordNamespace.length + 1) : undefined,
  };
}
