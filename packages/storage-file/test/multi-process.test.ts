import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordCipher, type TokenStoreChange } from '@hft/auth-core';
import { ErrorCodes, StorageError } from '@hft/errors';
import { ensureBuilt } from '@hft/test-kit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFileTokenStore } from '../src/index.js';
import { problemWith, recordFor } from './fixtures/records.mjs';
import { type Child, killHard, PACKAGE_DIR, startChild } from './helpers/children.js';

const check = problemWith;

interface MixedSummary {
  writer: string;
  reads: number;
  writes: number;
  absent: number;
  problems: string[];
  last: Record<string, number>;
}

async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('file store across real processes', () => {
  let root: string;
  let dir: string;

  beforeAll(() => {
    ensureBuilt(PACKAGE_DIR);
  }, 180_000);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hft-file-mp-'));
    dir = join(root, 'tokens');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('8 processes x 500 mixed reads and writes: no torn or lost record', async () => {
    const keys = ['upstox:mp-client:AAA1', 'upstox:mp-client:BBB2', 'upstox:other-client:AAA1'];
    const children = Array.from({ length: 8 }, (_, i) =>
      startChild('mixed-worker.mjs', [dir, `w${i}`, '500', keys.join(',')]),
    );
    await Promise.all(children.map((c) => c.line((l) => l === 'ready')));
    for (const c of children) c.go();
    const summaries = await Promise.all(
      children.map(async (c) => JSON.parse(await c.line((l) => l.startsWith('{'))) as MixedSummary),
    );
    expect(await Promise.all(children.map((c) => c.exited))).toEqual(Array(8).fill(0));

    expect(summaries.flatMap((s) => s.problems)).toEqual([]);
    for (const s of summaries) expect(s.reads + s.writes).toBe(500);
    const reads = summaries.reduce((n, s) => n + s.reads - s.absent, 0);
    expect(reads).toBeGreaterThan(1000);

    const store = createFileTokenStore({ dir });
    expect((await store.list()).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const record = await store.get(key);
      expect(check(key, record)).toBeUndefined();
      const finals = summaries
        .filter((s) => s.last[key] !== undefined)
        .map((s) => `tok-${s.writer}-${s.last[key]}`);
      // The final state is the last write of one of the processes.
      expect(finals).toContain(record?.accessToken);
    }
    // Exactly one account got the original file name; no temp file survived.
    const names = (await readdir(dir)).filter((n) => n !== '.locks').sort();
    expect(names).toContain('upstox_token.json');
    expect(names, names.join(', ')).toHaveLength(3);
    for (const name of names) expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
    await store.close();
  }, 90_000);

  it('a writer killed with SIGKILL at random points 200 times never leaves the store unreadable', async () => {
    const secret = randomBytes(32).toString('base64');
    const lanes = 2;
    const killsPerLane = 100;

    /**
     * One lane: a key, and writers killed one after another, the next one already starting (Node's
     * start-up is most of the cost) while the current one writes. Two lanes keep both cores busy.
     */
    const lane = async (id: number) => {
      const key = `upstox:kill-client:LANE${id}`;
      // The first half of the writers write plain files, the second half encrypt (a writer
      // without the key never replaces a sealed file), so both kinds of file are cut at random
      // points, and the switch from plain to sealed too.
      const spawnWriter = (n: number): Child =>
        startChild(
          'loop-writer.mjs',
          [dir, key, `k${n}`],
          n >= killsPerLane / 2 ? { HFT_TEST_KEY: secret } : {},
        );
      const seed = createFileTokenStore({ dir });
      await seed.set(key, recordFor(key, 'seed', 0));
      await seed.close();
      let previous = await createFileTokenStore({ dir }).get(key);
      let replaced = 0;
      let next = spawnWriter(0);
      for (let n = 0; n < killsPerLane; n++) {
        const writer = next;
        if (n + 1 < killsPerLane) next = spawnWriter(n + 1);
        await writer.line((l) => l === 'ready');
        writer.go();
        // A third of the kills land anywhere from the start (often inside the first write); the
        // rest after one complete write, somewhere in the following ones.
        if (n % 3 !== 0) await writer.line((l) => l === 'wrote');
        await pause(Math.random() * 8);
        await killHard(writer);
        // allowPlaintext: the first half of the writers leave plain files.
        const fresh = createFileTokenStore({
          dir,
          cipher: createRecordCipher({ key: secret, allowPlaintext: true }),
        });
        const record = await fresh.get(key);
        await fresh.close();
        const where = `lane ${id}, after kill ${n}`;
        expect(record, where).toBeDefined();
        expect(check(key, record), where).toBeUndefined();
        const by = (record?.extra as { writer?: string } | undefined)?.writer;
        // Either the record from before this writer ran, or one this writer wrote.
        if (by !== `k${n}`) expect(record, where).toEqual(previous);
        else replaced += 1;
        previous = record;
      }
      return { key, replaced };
    };

    const results = await Promise.all(Array.from({ length: lanes }, (_, id) => lane(id)));
    // Most kills came after the writer's first complete write, so they cut later writes.
    for (const { replaced } of results) expect(replaced).toBeGreaterThan(killsPerLane / 2);
    const reader = createFileTokenStore({ dir, cipher: createRecordCipher({ key: secret }) });
    expect((await reader.list()).sort()).toEqual(results.map((r) => r.key).sort());
    await reader.close();
  }, 120_000);

  it('a lock holder killed mid-lock is taken over by another process after its lease', async () => {
    const key = 'upstox:lock-client:LOCK1';
    const ttl = 1_500;
    const holder = startChild('lock-holder.mjs', [dir, key, String(ttl)]);
    await holder.line((l) => l === 'locked');
    const lockFile = join(
      dir,
      '.locks',
      (await readdir(join(dir, '.locks'))).find((n) => n.endsWith('.lock'))!,
    );
    const info = JSON.parse(await readFile(lockFile, 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({
      pid: holder.process.pid,
      host: expect.any(String),
      owner: expect.any(String),
    });
    expect(typeof info.expires_at_ms).toBe('number');
    expect(info.expires_at).toMatch(/\+05:30$/);

    const store = createFileTokenStore({ dir });
    const busy = await store
      .withLock(key, ttl, async () => 'too early', { waitMs: 50 })
      .catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(StorageError);
    expect((busy as StorageError).code).toBe(ErrorCodes.STORAGE_LOCK_TIMEOUT);

    await killHard(holder);
    const result = await store.withLock(
      key,
      ttl,
      async () => {
        // Only after the dead holder's lease ran out.
        expect(Date.now()).toBeGreaterThanOrEqual(info.expires_at_ms as number);
        return 'taken over';
      },
      { waitMs: ttl * 10 },
    );
    expect(result).toBe('taken over');
    // The lock was released: taking it again is immediate.
    expect(await store.withLock(key, ttl, async () => 'again', { waitMs: 100 })).toBe('again');
    await store.close();
  });

  it('serialises withLock across 4 processes (no lost increment)', async () => {
    const children = Array.from({ length: 4 }, () =>
      startChild('counter-worker.mjs', [dir, 'upstox:count-client:*', '25']),
    );
    await Promise.all(children.map((c) => c.line((l) => l === 'ready')));
    for (const c of children) c.go();
    await Promise.all(children.map((c) => c.line((l) => l === 'done')));
    expect(await readFile(join(dir, 'counter.txt'), 'utf8')).toBe('100');
  }, 60_000);

  it("watch delivers another process's write", async () => {
    const key = 'upstox:watch-client:WATCH1';
    const store = createFileTokenStore({ dir });
    const changes: TokenStoreChange[] = [];
    const stop = store.watch(key, (change) => changes.push(change));
    const writer = startChild('set-once.mjs', [dir, key, 'other-process']);
    await writer.line((l) => l === 'written');
    await waitUntil(() => changes.length > 0, 5_000, 'the notification');
    expect(changes[0]).toMatchObject({ key, kind: 'set' });
    expect((await store.get(key))?.accessToken).toBe('tok-other-process-1');
    stop();
    await store.close();
  });
});
