import sqlite3 from 'sqlite3';

/** A promise-based view of one native `sqlite3.Database` connection. */
export interface SqliteConnection {
  /** Every row `sql` returns. Rejects with the driver's error (`SQLITE_BUSY`, `SQLITE_NOTADB`...). */
  all<Row>(sql: string, ...params: unknown[]): Promise<Row[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
  /** Closes the connection; waits for statements already queued on it. */
  close(): Promise<void>;
}

/**
 * Opens a read-write connection to an existing database file (it is never created here, so the
 * caller controls its mode) and installs a busy timeout of `busyTimeoutMs` milliseconds, so a
 * statement that meets another process's write lock waits for it instead of failing.
 * @throws the driver's error (`SQLITE_CANTOPEN`...) when the file cannot be opened.
 */
export function openConnection(file: string, busyTimeoutMs: number): Promise<SqliteConnection> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_FULLMUTEX, (error) => {
      if (error) {
        reject(error);
        return;
      }
      db.configure('busyTimeout', busyTimeoutMs);
      resolve(wrap(db));
    });
  });
}

function wrap(db: sqlite3.Database): SqliteConnection {
  return {
    all<Row>(sql: string, ...params: unknown[]) {
      return new Promise<Row[]>((resolve, reject) => {
        db.all(sql, params, (error: Error | null, rows: Row[]) => (error ? reject(error) : resolve(rows)));
      });
    },
    run(sql, ...params) {
      return new Promise<number>((resolve, reject) => {
        db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
          if (error) reject(error);
          else resolve(this.changes);
        });
      });
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        db.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
