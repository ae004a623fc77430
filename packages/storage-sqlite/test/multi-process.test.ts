import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenStore, TokenStoreChange } from '@hft/auth-core';
import { ErrorCodes } from '@hft/errors';
import { ensureBuilt } from '@hft/test-kit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteTokenStore, DEFAULT_LEASE_TABLE } from '../src/index.js';
import { makeRecord, tagOf } from './fixtures/records.mjs';
import { type Child, forkChild, killChildren, PACKAGE_DIR, runChild } from './helpers/children.js';
import { rawSql } from './helpers/raw-sql.js';

interface MixedResult {
  id: number;
  writes: string[];
  reads: number;
  readTags: string[];
  torn: unknown[];
  errors: string[];
  lastOwnTag: string;
}

/** Resolves with the first change of `kind` delivered to the returned `onChange`. */
function changeListener(timeoutMs: number) {
  const seen: TokenStoreChange[] = [];
  const waiting = new Map<string, () => void>();
  return {
    seen,
    onChange(change: TokenStoreChange) {
      seen.push(change);
      waiting.get(change.kind)?.();
    },
    next(kind: TokenStoreChange['kind']): Promise<void> {
      if (seen.some((c) => c.kind === kind)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${kind}" change within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.set(kind, () => {
          clearTimeout(timer);
          waiting.delete(kind);
          resolve();
        });
      });
    },
  };
}

describe('sqlite store shared by real processes', () => {
  let dir: string;
  let path: string;
  const stores: TokenStore[] = [];
  const open = (options: { watchIntervalMs?: number } = {}) => {
    const store = createSqliteTokenStore({ path, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(() => ensureBuilt(PACKAGE_DIR), 240_000);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hft-sqlite-mp-'));
    path = join(dir, 'shared', 'tokens.db');
  });

  afterEach(async () => {
    killChildren();
    for (const store of stores.splice(0)) await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('8 processes x 500 mixed reads and writes: no SQLITE_BUSY, no torn or lost record', async () => {
    const processes = 8;
    const ops = 500;
    const sharedAccounts = 3;
    // All children create the (missing) database at once: the WAL switch races too.
    const children: Child[] = Array.from({ length: processes }, (_, id) =>
      forkChild('mixed', path, String(id), String(ops), String(sharedAccounts)),
    );
    await Promise.all(children.map((c) => c.next('ready')));
    for (const c of children) c.process.send({ type: 'go' });
    const results = await Promise.all(children.map((c) => c.next<MixedResult>('result', 150_000)));
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(exits.map((e) => e.code)).toEqual(Array(processes).fill(0));

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.flatMap((r) => r.torn)).toEqual([]);
    const written = new Set(results.flatMap((r) => r.writes));
    expect(written.size).toBeGreaterThan(processes * ops * 0.4);
    expect(results.reduce((sum, r) => sum + r.reads, 0)).toBeGreaterThan(processes * ops * 0.3);
    // Every record read is one that some process wrote, whole.
    const readTags = results.flatMap((r) => r.readTags);
    expect(readTags.length).toBeGreaterThan(processes);
    expect(readTags.filter((tag) => !written.has(tag))).toEqual([]);

    const store = open();
    // No lost write: each process's own account holds its last write...
    for (const r of results) {
      const own = `upstox:mp-client:OWN${r.id}`;
      expect(await store.get(own)).toEqual(makeRecord(own, r.lastOwnTag));
    }
    // ...and each shared account holds one of the records written to it.
    for (let i = 0; i < sharedAccounts; i++) {
      const account = `upstox:mp-client:SHARED${i}`;
      const record = await store.get(account);
      const tag = tagOf(record);
      expect(tag && written.has(tag)).toBe(true);
      expect(record).toEqual(makeRecord(account, tag!));
    }
    expect((await store.list()).length).toBe(processes + sharedAccounts);
    expect(await rawSql(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  }, 180_000);

  it('takes over the lock of a holder killed with SIGKILL once its lease has passed', async () => {
    const key = 'upstox:mp-client:LOCKED';
    const leaseMs = 2000;
    const holder = forkChild('hold-lock', path, key, String(leaseMs));
    await holder.next('locked');
    const [row] = await rawSql<{ owner: string; until: number }>(
      path,
      `SELECT owner, until FROM ${DEFAULT_LEASE_TABLE} WHERE key = ?`,
      key,
    );
    expect(row?.owner.startsWith(`${holder.process.pid}:`)).toBe(true);

    const store = open();
    // While the lease runs, this process cannot take the lock.
    await expect(
      store.withLock(key, leaseMs, async () => 'too early', { waitMs: 100 }),
    ).rejects.toMatchObject({
      code: ErrorCodes.STORAGE_LOCK_TIMEOUT,
    });
    holder.process.kill('SIGKILL');
    expect((await holder.exited).signal).toBe('SIGKILL');

    const taken = await store.withLock(
      key,
      leaseMs,
      async () => {
        const [now] = await rawSql<{ owner: string }>(
          path,
          `SELECT owner FROM ${DEFAULT_LEASE_TABLE} WHERE key = ?`,
          key,
        );
        return { at: Date.now(), owner: now?.owner };
      },
      { waitMs: leaseMs * 5 },
    );
    expect(taken.at).toBeGreaterThanOrEqual(row!.until);
    expect(taken.owner?.startsWith(`${process.pid}:`)).toBe(true);
    // Released: the row is gone.
    expect(await rawSql(path, `SELECT * FROM ${DEFAULT_LEASE_TABLE} WHERE key = ?`, key)).toEqual([]);
  }, 30_000);

  it("delivers another process's write and delete to watch, and nothing for other keys", async () => {
    const key = 'upstox:mp-client:WATCHED';
    const other = 'upstox:mp-client:OTHER';
    const store = open({ watchIntervalMs: 50 });
    const watched = changeListener(5_000);
    const unrelated = changeListener(5_000);
    store.watch(key, watched.onChange);
    store.watch('upstox:mp-client:UNRELATED', unrelated.onChange);
    // Subscribe, then read: once the read resolves, the watcher knows the starting value.
    expect(await store.get(key)).toBeUndefined();

    const writer = forkChild('writer', path);
    await writer.next('ready');
    writer.process.send({ cmd: 'set', key: other, tag: 'other-1' });
    await writer.next('done');
    writer.process.send({ cmd: 'set', key, tag: 'w-1' });
    await writer.next('done');
    const wroteAt = Date.now();
    await watched.next('set');
    const latency = Date.now() - wroteAt;
    // One notification: the earlier write to another key changed nothing watched here.
    expect(watched.seen).toEqual([{ key, kind: 'set' }]);
    expect(await store.get(key)).toEqual(makeRecord(key, 'w-1'));

    writer.process.send({ cmd: 'delete', key });
    await writer.next('done');
    await watched.next('delete');
    expect(watched.seen).toEqual([
      { key, kind: 'set' },
      { key, kind: 'delete' },
    ]);
    expect(await store.get(key)).toBeUndefined();
    expect(unrelated.seen).toEqual([]);
    // A few poll intervals, with room for a loaded machine.
    expect(latency).toBeLessThan(2_000);

    writer.process.send({ cmd: 'close' });
    expect((await writer.exited).code).toBe(0);
  }, 30_000);

  it('leaves nothing open after close(): a process that used every feature exits by itself', async () => {
    const result = await runChild('lifecycle', path, 15_000);
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      closed: true,
      roundTrip: 'life-1',
      listed: ['upstox:life-client:LIFE1'],
    });
  }, 30_000);
});
