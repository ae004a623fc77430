// The account index of the SQLite store: one row of summary per record, in a table beside the
// records, so that listing accounts (and finding one by name) is one SELECT that reads no token.
//
// The index is a cache the database itself keeps honest: triggers on the records table delete
// a record's summary in the same transaction as any change to it (by this version, an older one,
// or the sqlite3 shell). This version writes the record and its new summary in one transaction
// (through a staging table's trigger, below), so a summary never outlives its record; a record
// with no summary (an older version or another tool wrote it) is read by the next listing, which
// puts its summary back only if the row still holds the value it read.
import { type AccountSummary, parseSummary, summarizeRecord, type TokenRecord } from '@hft/auth-core/store';
import { indexTableOf, listingQuery, nameQuery } from './index-queries.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** Options of {@link summaryIndex}. */
export interface SummaryIndexOptions {
  /** The store's own connection (opened and configured). */
  connection(): Promise<SqliteConnection>;
  /**
   * Runs a statement on the records' connection (Keyv's adapter). Writes go there: that
   * connection never holds a transaction open, while the store's own one does for leases, and a
   * statement issued in the middle of such a transaction would commit or roll back with it.
   */
  records(sql: string, ...params: unknown[]): Promise<unknown>;
  /** The records table (a checked identifier). */
  table: string;
  /** Reads a record from its stored column (Keyv's serialised form); `undefined` when expired. */
  decode(key: string, column: string): Promise<{ record: TokenRecord; stored: string } | undefined>;
}

/** The account index of one records table. */
export interface SummaryIndex {
  /** Creates the index table and its triggers (idempotent); run while configuring the database. */
  install(db: SqliteConnection): Promise<void>;
  /**
   * Writes `record` under `key` as the records table's `column` (Keyv's serialised form) together
   * with its summary: one statement, so one transaction and one commit.
   */
  write(key: string, column: string, record: TokenRecord): Promise<void>;
  /** Every account's summary, in one SELECT; repairs missing entries. */
  summaries(): Promise<AccountSummary[]>;
  /** The key of the account named `name` per the index (one indexed SELECT); `undefined` when none. */
  keyNamed(name: string): Promise<string | undefined>;
}

/** Creates the account index of `options.table` (see the file comment). */
export function summaryIndex(options: SummaryIndexOptions): SummaryIndex {
  const { table } = options;
  const index = indexTableOf(table);
  const drop = (row: 'NEW' | 'OLD') => `DELETE FROM "${index}" WHERE key = ${row}.key;`;
  // Only if the record still holds what was written (compared inside Keyv's JSON wrapper).
  const putBack =
    `INSERT OR REPLACE INTO "${index}" (key, summary) ` +
    `SELECT r.key, json_extract(j.value, '$[1]') FROM json_each(?) j ` +
    `JOIN "${table}" r ON r.key = json_extract(j.value, '$[0]') ` +
    `AND json_extract(r.value, '$.value') = json_extract(j.value, '$[2]')`;
  // A write is one INSERT into this (always empty) table: its trigger stores the record, whose
  // own trigger drops the old summary, then the new summary, and removes the row, all in the
  // INSERT's transaction. Keyv's write and then the summary's were two commits (two fsyncs).
  const put = `${index}_put`;
  const select = listingQuery(table);
  const byName = nameQuery(table);

  const store = async (entries: Array<[string, string, string]>) => {
    if (entries.length === 0) return;
    const db = await options.connection();
    await db.run(putBack, JSON.stringify(entries));
  };

  return {
    async install(db) {
      await db.run(
        `CREATE TABLE IF NOT EXISTS "${index}" (key TEXT PRIMARY KEY NOT NULL, summary TEXT NOT NULL)`,
      );
      // Keyv creates the records table on its own connection; create it here first (same schema)
      // so that the triggers can be attached whoever comes first.
      await db.run(`CREATE TABLE IF NOT EXISTS "${table}" (key VARCHAR(255) PRIMARY KEY, value TEXT )`);
      await db.run(
        `CREATE TRIGGER IF NOT EXISTS "${index}_ins" AFTER INSERT ON "${table}" BEGIN ${drop('NEW')} END`,
      );
      await db.run(
        `CREATE TRIGGER IF NOT EXISTS "${index}_upd" AFTER UPDATE ON "${table}" BEGIN ${drop('OLD')} ${drop('NEW')} END`,
      );
      await db.run(
        `CREATE TRIGGER IF NOT EXISTS "${index}_del" AFTER DELETE ON "${table}" BEGIN ${drop('OLD')} END`,
      );
      await db.run(
        `CREATE INDEX IF NOT EXISTS "${index}_name" ON "${index}" (json_extract(summary, '$.name'))`,
      );
      await db.run(
        `CREATE TABLE IF NOT EXISTS "${put}" (key TEXT NOT NULL, value TEXT NOT NULL, summary TEXT NOT NULL)`,
      );
      // The upsert is the one @keyv/sqlite runs, so that a record reads back the same either way.
      await db.run(
        `CREATE TRIGGER IF NOT EXISTS "${put}_ins" AFTER INSERT ON "${put}" BEGIN ` +
          `INSERT INTO "${table}" (key, value) VALUES (NEW.key, NEW.value) ` +
          `ON CONFLICT(key) DO UPDATE SET value = excluded.value; ` +
          `INSERT OR REPLACE INTO "${index}" (key, summary) VALUES (NEW.key, NEW.summary); ` +
          `DELETE FROM "${put}" WHERE rowid = NEW.rowid; END`,
      );
    },

    async write(key, column, record) {
      await options.records(
        `INSERT INTO "${put}" (key, value, summary) VALUES (?, ?, ?)`,
        key,
        column,
        JSON.stringify(summarizeRecord(key, record)),
      );
    },

    async keyNamed(name) {
      const db = await options.connection();
      const [row] = await db.all<{ key: string }>(byName, name);
      return row?.key;
    },

    async summaries() {
      const db = await options.connection();
      const rows = await db.all<{ key: string; summary: string | null; value: string | null }>(select);
      const out: AccountSummary[] = [];
      const repairs: Array<[string, string, string]> = [];
      for (const row of rows) {
        const kept = row.summary === null ? undefined : parseSummary(row.key, row.summary);
        if (kept) {
          out.push(kept);
          continue;
        }
        const column =
          row.value ??
          (await db.all<{ value: string }>(`SELECT value FROM "${table}" WHERE key = ?`, row.key))[0]?.value;
        if (column === undefined) continue;
        const found = await options.decode(row.key, column);
        if (!found) continue;
        const summary = summarizeRecord(row.key, found.record);
        out.push(summary);
        repairs.push([row.key, JSON.stringify(summary), found.stored]);
      }
      // A failed repair costs the next listing a decode, nothing more.
      await store(repairs).catch(() => {});
      return out;
    },
  };
}
