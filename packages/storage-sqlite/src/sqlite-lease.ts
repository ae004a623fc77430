import type { LeasePrimitives } from '@hft/auth-core/store';
import type { SqliteConnection } from './sqlite-connection.js';

/** {@link LeasePrimitives} plus a way to wait for the statements in flight (before closing). */
export interface SqliteLease extends LeasePrimitives {
  /** Resolves when every lease operation started so far has settled. */
  idle(): Promise<void>;
}

/**
 * Lock leases as rows `(key, owner, until)` of `table`, `until` being epoch ms.
 *
 * Taking one is a transaction begun with `BEGIN IMMEDIATE`, which holds SQLite's single write
 * lock from its first statement: between reading the row and writing ours no other connection,
 * in any process, can write, so two processes can never both take the same lease. A row whose
 * `until` has passed belongs to a holder that died or overran its lease, and is taken over.
 * Release deletes the row only while it still names our owner.
 *
 * Operations run one at a time on `connection`: a transaction on a shared connection would
 * otherwise absorb the statements of a concurrent caller.
 */
export function sqliteLease(
  connection: () => Promise<SqliteConnection>,
  table: string,
  backend: string,
): SqliteLease {
  const selectUntil = `SELECT until FROM "${table}" WHERE key = ?`;
  const upsert =
    `INSERT INTO "${table}" (key, owner, until) VALUES (?, ?, ?) ` +
    'ON CONFLICT(key) DO UPDATE SET owner = excluded.owner, until = excluded.until';
  const deleteOwn = `DELETE FROM "${table}" WHERE key = ? AND owner = ?`;
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn);
    tail = next.catch(() => {});
    return next;
  };
  // Leases are shared with other processes, so they are wall-clock times, not an injected clock.
  const heldAt = (rows: Array<{ until: number }>, now: number) => rows.length > 0 && rows[0]!.until > now;

  return {
    backend,
    tryAcquire(key, owner, ttlMs) {
      return serial(async () => {
        const db = await connection();
        // A lease seen held needs no write lock: waiters poll without queueing behind writers.
        if (heldAt(await db.all(selectUntil, key), Date.now())) return false;
        await db.run('BEGIN IMMEDIATE');
        try {
          const now = Date.now();
          if (heldAt(await db.all(selectUntil, key), now)) {
            await db.run('ROLLBACK');
            return false;
          }
          await db.run(upsert, key, owner, now + ttlMs);
          await db.run('COMMIT');
          return true;
        } catch (error) {
          await db.run('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    },
    release(key, owner) {
      return serial(async () => {
        const db = await connection();
        await db.run(deleteOwn, key, owner);
      });
    },
    idle() {
      return tail.then(() => undefined);
    },
  };
}
