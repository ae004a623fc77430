import sqlite3 from 'sqlite3';

/**
 * Runs `sql` on a fresh connection of its own (as another program would) and returns the rows.
 * Waits up to 5 s for another connection's write lock.
 */
export function rawSql<Row = Record<string, unknown>>(
  file: string,
  sql: string,
  ...params: unknown[]
): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (openError) => {
      if (openError) {
        reject(openError);
        return;
      }
      db.configure('busyTimeout', 5000);
      db.all(sql, params, (error: Error | null, rows: Row[]) => {
        db.close(() => (error ? reject(error) : resolve(rows)));
      });
    });
  });
}

/** A raw connection kept open across statements (to hold a transaction, for instance). */
export interface RawConnection {
  all<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** Opens a raw connection of its own to `file` with a busy timeout of `busyTimeoutMs`. */
export function rawConnection(file: string, busyTimeoutMs = 5000): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (openError) => {
      if (openError) {
        reject(openError);
        return;
      }
      db.configure('busyTimeout', busyTimeoutMs);
      resolve({
        all: <Row>(sql: string, ...params: unknown[]) =>
          new Promise<Row[]>((ok, fail) =>
            db.all(sql, params, (error: Error | null, rows: Row[]) => (error ? fail(error) : ok(rows))),
          ),
        close: () => new Promise<void>((ok, fail) => db.close((error) => (error ? fail(error) : ok()))),
      });
    });
  });
}
