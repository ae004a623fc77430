import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordCipher, type TokenStore } from '@hft/auth-core';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSqliteTokenStore,
  DEFAULT_LEASE_TABLE,
  DEFAULT_TABLE,
  type SqliteTokenStoreOptions,
} from '../src/index.js';
import { rawConnection, rawSql } from './helpers/raw-sql.js';

const mode = async (file: string) => (await stat(file)).mode & 0o777;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createSqliteTokenStore', () => {
  let dir: string;
  let path: string;
  const stores: TokenStore[] = [];
  const open = (options: Partial<SqliteTokenStoreOptions> = {}) => {
    const store = createSqliteTokenStore({ path, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-sqlite-'));
    path = join(dir, 'a', 'b', 'tokens.db');
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [{}, 'options.path'],
    [{ path: '' }, 'options.path'],
    [{ path: ':memory:' }, 'options.path'],
    [{ path: 'sqlite:/var/lib/hft.db' }, 'options.path'],
    [{ path: 'file:tokens.db?mode=memory' }, 'options.path'],
    [{ path: 'x.db', table: 'tokens; DROP TABLE x' }, 'options.table'],
    [{ path: 'x.db', leaseTable: '1leases' }, 'options.leaseTable'],
    [{ path: 'x.db', table: 'same', leaseTable: 'SAME' }, 'options.leaseTable'],
    [{ path: 'x.db', busyTimeoutMs: -1 }, 'options.busyTimeoutMs'],
    [{ path: 'x.db', busyTimeoutMs: 1.5 }, 'options.busyTimeoutMs'],
    [{ path: 'x.db', watchIntervalMs: 0 }, 'options.watchIntervalMs'],
  ])('rejects invalid options %j naming %s', (options, argument) => {
    let caught: unknown;
    try {
      createSqliteTokenStore(options as SqliteTokenStoreOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).details).toEqual({ argument });
  });

  it('words a bad option as the shared argument checks do', () => {
    expect(() => createSqliteTokenStore({ path: 'x.db', busyTimeoutMs: 1.5 })).toThrow(
      'options.busyTimeoutMs must be a whole number of milliseconds >= 0; got 1.5',
    );
    expect(() => createSqliteTokenStore({ path: 'x.db', table: 'a;b' })).toThrow(
      'options.table must be 1-63 letters, digits or "_", starting with a letter; got a string of another form',
    );
    expect(() => createSqliteTokenStore({ path: 7 } as unknown as SqliteTokenStoreOptions)).toThrow(
      'options.path must be the path of the database file; got a number',
    );
  });

  it('fails at creation with StorageError when the path is a directory', async () => {
    await mkdir(path, { recursive: true });
    let caught: unknown;
    try {
      createSqliteTokenStore({ path });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StorageError);
    expect(caught).toMatchObject({
      backend: 'sqlite',
      code: ErrorCodes.STORAGE_UNAVAILABLE,
      details: { operation: 'open', paths: [path] },
    });
    expect((caught as StorageError).message).toContain('sqlite store');
    expect(((caught as StorageError).cause as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('creates the directory 0700 and the database, -wal and -shm files 0600, in WAL mode', async () => {
    const store = open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    expect(await mode(join(dir, 'a'))).toBe(0o700);
    expect(await mode(join(dir, 'a', 'b'))).toBe(0o700);
    expect(await mode(path)).toBe(0o600);
    expect(await mode(`${path}-wal`)).toBe(0o600);
    expect(await mode(`${path}-shm`)).toBe(0o600);
    expect(await rawSql(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('tightens an existing database file to 0600 and keeps its records', async () => {
    const first = open();
    const record = sampleRecord();
    await first.set(record.accountKey, record);
    await first.close();
    await import('node:fs/promises').then((fs) => fs.chmod(path, 0o644));
    const second = open();
    expect(await mode(path)).toBe(0o600);
    expect(await second.get(record.accountKey)).toEqual(record);
  });

  it('keeps one row per account key in the records table and leases in their own table', async () => {
    const store = open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const columns = async (table: string) =>
      (await rawSql<{ name: string }>(path, `PRAGMA table_info(${table})`)).map((c) => c.name);
    expect(await columns(DEFAULT_TABLE)).toEqual(['key', 'value']);
    expect(await columns(DEFAULT_LEASE_TABLE)).toEqual(['key', 'owner', 'until']);
    const rows = await rawSql<{ key: string; value: string }>(
      path,
      `SELECT key, value FROM ${DEFAULT_TABLE}`,
    );
    expect(rows.map((r) => r.key)).toEqual([record.accountKey]);
    expect(JSON.parse(JSON.parse(rows[0]!.value).value)).toEqual(record);

    const inside = await store.withLock(record.accountKey, 5_000, () =>
      rawSql<{ key: string; owner: string; until: number }>(path, `SELECT * FROM ${DEFAULT_LEASE_TABLE}`),
    );
    expect(inside).toEqual([
      { key: record.accountKey, owner: expect.stringMatching(`^${process.pid}:`), until: expect.any(Number) },
    ]);
    expect(await rawSql(path, `SELECT * FROM ${DEFAULT_LEASE_TABLE}`)).toEqual([]);
  });

  it('uses the table names it is given', async () => {
    const store = open({ table: 'desk_tokens', leaseTable: 'desk_locks' });
    const record = sampleRecord();
    await store.withLock(record.accountKey, 5_000, () => store.set(record.accountKey, record));
    expect(await rawSql(path, 'SELECT key FROM desk_tokens')).toEqual([{ key: record.accountKey }]);
    const tables = await rawSql<{ name: string }>(
      path,
      "SELECT name FROM sqlite_master WHERE type = 'table'",
    );
    expect(tables.map((t) => t.name).sort()).toEqual([
      'desk_locks',
      'desk_tokens',
      'desk_tokens_accounts',
      'desk_tokens_accounts_put',
    ]);
  });

  it('writes a record and its summary in one commit, and leaves the staging table empty', async () => {
    const store = open();
    const first = sampleRecord({ userId: 'ONE1', accountName: 'one' });
    await store.set(first.accountKey, first);
    // PRAGMA data_version moves once per commit made by another connection.
    const watcher = await rawConnection(path);
    try {
      const version = async () =>
        (await watcher.all<{ data_version: number }>('PRAGMA data_version'))[0]!.data_version;
      const before = await version();
      const next = withDaily(first, {
        token: `${first.tokens.daily!.token}x`,
        issuedAt: first.tokens.daily!.issuedAt + 1,
      });
      await store.set(first.accountKey, next);
      expect((await version()) - before).toBe(1);
      expect(await rawSql(path, 'SELECT count(*) AS n FROM hft_tokens_accounts_put')).toEqual([{ n: 0 }]);
      const [row] = await rawSql<{ summary: string }>(
        path,
        'SELECT summary FROM hft_tokens_accounts WHERE key = ?',
        first.accountKey,
      );
      expect(JSON.parse(row!.summary)).toMatchObject({ key: first.accountKey, name: 'one' });
      expect(await store.get(first.accountKey)).toEqual(next);
      expect(await store.accountNamed?.('one')).toEqual({ key: first.accountKey, record: next });
    } finally {
      await watcher.close();
    }
  });

  it('stores only ciphertext with a cipher, and a store without the key fails closed', async () => {
    const cipher = createRecordCipher({ key: randomBytes(32) });
    const store = open({ cipher });
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const file = await readFile(path);
    const wal = await readFile(`${path}-wal`);
    for (const bytes of [file, wal]) {
      expect(bytes.includes(record.tokens.daily!.token)).toBe(false);
      expect(bytes.includes(record.tokens.extended!.token)).toBe(false);
    }
    expect(await store.get(record.accountKey)).toEqual(record);
    await expect(open().get(record.accountKey)).rejects.toMatchObject({
      name: 'StorageError',
      code: ErrorCodes.STORAGE_WRONG_KEY,
    });
  });

  it('fails closed on a file that is not a database, and still closes cleanly', async () => {
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    const garbage =
      'this is not an SQLite database, it is a text file that is long enough to be read. '.repeat(20);
    await writeFile(path, garbage);
    const store = open();
    for (const attempt of [
      () => store.get('upstox:c:U1'),
      () => store.set('upstox:c:U1', sampleRecord({ clientId: 'c', userId: 'U1' })),
      () => store.list(),
      () => store.delete('upstox:c:U1'),
      () => store.withLock('upstox:c:U1', 1_000, async () => 'never'),
    ]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ backend: 'sqlite', code: ErrorCodes.STORAGE_UNAVAILABLE });
      expect((error as StorageError).message).toMatch(/^sqlite store: .* failed: SQLITE_NOTADB/);
      expect(((error as StorageError).cause as { code?: string }).code).toBe('SQLITE_NOTADB');
    }
    await store.close();
    expect(await readFile(path, 'utf8')).toBe(garbage);
  });

  it('lets reads through while another connection holds the write lock, and reports a write that waited too long', async () => {
    const store = open({ busyTimeoutMs: 100 });
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const other = await rawConnection(path);
    try {
      await other.all('BEGIN IMMEDIATE');
      // WAL: readers do not wait for the writer.
      expect(await store.get(record.accountKey)).toEqual(record);
      const error = await store.set(record.accountKey, withDaily(record, { token: 'blocked' })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ backend: 'sqlite', code: ErrorCodes.STORAGE_UNAVAILABLE });
      expect(((error as StorageError).cause as { code?: string }).code).toBe('SQLITE_BUSY');
    } finally {
      await other.all('ROLLBACK');
      await other.close();
    }
    await store.set(record.accountKey, withDaily(record, { token: 'after' }));
    expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe('after');
  });

  it('never frees a lease taken over from a holder that overran it', async () => {
    const a = open();
    const b = open();
    const c = open();
    const key = 'upstox:c:OVERRUN';
    const bInside = deferred();
    const bMayLeave = deferred();
    const ownerOf = async () =>
      (
        await rawSql<{ owner: string }>(path, `SELECT owner FROM ${DEFAULT_LEASE_TABLE} WHERE key = ?`, key)
      )[0]?.owner;
    // A's lease (200 ms) runs out while its fn still works; B takes over.
    const aInside = deferred();
    const aRun = a.withLock(key, 200, async () => {
      aInside.resolve();
      const owner = await ownerOf();
      await bInside.promise;
      return owner;
    });
    await aInside.promise;
    const bRun = b.withLock(
      key,
      10_000,
      async () => {
        bInside.resolve();
        await bMayLeave.promise;
      },
      { waitMs: 5_000 },
    );
    const ownerA = await aRun;
    expect(ownerA).toMatch(new RegExp(`^${process.pid}:`));
    // A's release ran after B took over, and must not have freed B's lease.
    const ownerB = await ownerOf();
    expect(ownerB).toMatch(new RegExp(`^${process.pid}:`));
    expect(ownerB).not.toBe(ownerA);
    await expect(c.withLock(key, 10_000, async () => 'stolen', { waitMs: 50 })).rejects.toMatchObject({
      code: ErrorCodes.STORAGE_LOCK_TIMEOUT,
    });
    bMayLeave.resolve();
    await bRun;
    expect(await c.withLock(key, 10_000, async () => 'free again', { waitMs: 1_000 })).toBe('free again');
  });

  it('reports each changed key once per change and stops after unsubscribe', async () => {
    const watcher = open({ watchIntervalMs: 10 });
    const writer = open();
    const a = sampleRecord({ userId: 'WATCHA' });
    const b = sampleRecord({ userId: 'WATCHB' });
    const seenA: string[] = [];
    const seenB: string[] = [];
    const gotA = deferred();
    const stopA = watcher.watch(a.accountKey, (change) => {
      seenA.push(change.kind);
      gotA.resolve();
    });
    watcher.watch(b.accountKey, (change) => seenB.push(change.kind));
    // Writes made in this process after watch() returned are always reported.
    await writer.set(a.accountKey, a);
    await gotA.promise;
    expect(seenA).toEqual(['set']);
    expect(seenB).toEqual([]);
    stopA();
    const gotB = deferred();
    watcher.watch(b.accountKey, () => gotB.resolve());
    await writer.set(a.accountKey, withDaily(a, { token: 'unwatched-now' }));
    await writer.set(b.accountKey, b);
    await gotB.promise;
    expect(seenA).toEqual(['set']);
    expect(seenB).toEqual(['set']);
  });

  it('refuses use after close, and close is idempotent', async () => {
    const store = open();
    await store.list();
    await store.close();
    await store.close();
    await expect(store.set('upstox:c:U1', sampleRecord())).rejects.toBeInstanceOf(StorageError);
    expect(() => store.watch('upstox:c:U1', () => {})).toThrow(StorageError);
    // withLock of @hft/storage-keyv throws synchronously here; either way it must be a StorageError.
    await expect(
      Promise.resolve().then(() => store.withLock('upstox:c:U1', 1_000, async () => 1)),
    ).rejects.toBeInstanceOf(StorageError);
  });
});
