import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '@hft/errors';
import { ensureBuilt, forkStoreChild } from '@hft/test-kit';
import { createManualClock } from '@hft/time/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from './helpers/temp-dir.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const KEY = 'upstox:lock-client:USER1';
const LOCK_NAME = 'upstox%3Alock-client%3AUSER1.lock';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('withLock', () => {
  const t = useTempDir();
  const lockPath = () => join(t.dir, '.locks', LOCK_NAME);
  const readLock = async () => JSON.parse(await readFile(lockPath(), 'utf8')) as Record<string, unknown>;

  it('holds a lock file naming owner, pid, host and lease expiry, and removes it on release', async () => {
    const clock = createManualClock('2026-11-26T10:00:00+05:30');
    const store = t.open({ clock });
    await store.withLock(KEY, 5_000, async () => {
      expect(await readLock()).toEqual({
        owner: expect.stringMatching(new RegExp(`^${process.pid}:`)),
        pid: process.pid,
        host: expect.any(String),
        expires_at_ms: clock.now() + 5_000,
        expires_at: '2026-11-26T10:00:05.000+05:30',
      });
    });
    expect(await readdir(join(t.dir, '.locks'))).toEqual([]);
  });

  it('takes over a lock whose lease ran out, and the late holder does not remove the new lock', async () => {
    const clock = createManualClock();
    const a = t.open({ clock });
    const b = t.open({ clock });
    const entered = deferred();
    const finishA = deferred();
    const held = a.withLock(KEY, 1_000, async () => {
      entered.resolve();
      await finishA.promise;
      return 'a finished late';
    });
    await entered.promise;
    const early = await b.withLock(KEY, 1_000, async () => 'early', { waitMs: 30 }).catch((e: unknown) => e);
    expect(early).toMatchObject({ code: ErrorCodes.STORAGE_LOCK_TIMEOUT });

    clock.advance(1_001);
    const result = await b.withLock(KEY, 60_000, async () => {
      const mine = (await readLock()).owner;
      // A finishes and releases while B holds the lock: B's lock file must survive.
      finishA.resolve();
      expect(await held).toBe('a finished late');
      expect((await readLock()).owner).toBe(mine);
      return 'b ran';
    });
    expect(result).toBe('b ran');
    expect(await readdir(join(t.dir, '.locks'))).toEqual([]);
  });

  it('takes over a lock file left by a dead process once its lease has passed, and an unreadable one', async () => {
    const clock = createManualClock();
    const store = t.open({ clock });
    await mkdir(join(t.dir, '.locks'), { recursive: true });
    await writeFile(
      lockPath(),
      JSON.stringify({
        owner: '999999:dead',
        pid: 999_999,
        host: 'elsewhere',
        expires_at_ms: clock.now() - 1,
      }),
    );
    expect(await store.withLock(KEY, 1_000, async () => 'taken', { waitMs: 200 })).toBe('taken');

    await writeFile(lockPath(), '{"owner": "half-writ');
    expect(await store.withLock(KEY, 1_000, async () => 'taken again', { waitMs: 200 })).toBe('taken again');

    // A live lease is respected, whoever wrote it.
    await writeFile(
      lockPath(),
      JSON.stringify({ owner: '1:live', pid: 1, host: 'elsewhere', expires_at_ms: clock.now() + 60_000 }),
    );
    const err = await store.withLock(KEY, 1_000, async () => 'no', { waitMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.STORAGE_LOCK_TIMEOUT });
    expect(((await readLock()) as { owner: string }).owner).toBe('1:live');
  });

  it('breaks a takeover guard left by a dead taker once it is stale', async () => {
    const clock = createManualClock();
    const store = t.open({ clock });
    await mkdir(join(t.dir, '.locks'), { recursive: true });
    await writeFile(
      lockPath(),
      JSON.stringify({ owner: '2:dead', pid: 2, host: 'h', expires_at_ms: clock.now() - 1 }),
    );
    await writeFile(
      `${lockPath()}.guard`,
      JSON.stringify({ owner: '3:dead-taker', pid: 3, host: 'h', expires_at_ms: clock.now() + 2_000 }),
    );
    const blocked = await store
      .withLock(KEY, 1_000, async () => 'no', { waitMs: 50 })
      .catch((e: unknown) => e);
    expect(blocked).toMatchObject({ code: ErrorCodes.STORAGE_LOCK_TIMEOUT });
    clock.advance(2_001);
    expect(await store.withLock(KEY, 1_000, async () => 'yes', { waitMs: 500 })).toBe('yes');
  });

  it('creates the token directory for its locks with mode 0700', async () => {
    const store = t.open();
    expect(await store.withLock(KEY, 1_000, async () => 'ok')).toBe('ok');
    expect((await stat(t.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(t.dir, '.locks'))).mode & 0o777).toBe(0o700);
  });
});

describe('withLock after its holder died on this host', () => {
  const t = useTempDir();
  const lockPath = () => join(t.dir, '.locks', LOCK_NAME);
  const readLock = async () => JSON.parse(await readFile(lockPath(), 'utf8')) as Record<string, unknown>;

  beforeAll(() => {
    ensureBuilt(PACKAGE_DIR);
  }, 120_000);

  it('takes over at once the lock of a SIGKILLed holder, long before its lease would have run out', async () => {
    const holder = forkStoreChild(
      'hold-lock',
      {
        module: join(PACKAGE_DIR, 'dist', 'index.js'),
        factory: 'createFileTokenStore',
        options: { dir: t.dir },
      },
      { key: KEY, leaseMs: 60_000 },
    );
    await holder.next('locked');
    const held = await readLock();
    expect(held).toMatchObject({ pid: holder.process.pid, host: hostname() });
    expect((await holder.kill()).signal).toBe('SIGKILL');

    // The taker's clock stands one second into the dead holder's 60 s lease and never moves:
    // only the holder being gone can let it in.
    const clock = createManualClock((held.expires_at_ms as number) - 59_000);
    const store = t.open({ clock });
    const result = await store.withLock(
      KEY,
      60_000,
      async () => {
        expect((await readLock()).pid).toBe(process.pid);
        return 'taken before the lease would have run out';
      },
      { waitMs: 10_000 },
    );
    expect(result).toBe('taken before the lease would have run out');
    expect(await readdir(join(t.dir, '.locks'))).toEqual([]);
  }, 30_000);

  it('still waits for a live holder on this host', async () => {
    const clock = createManualClock();
    const store = t.open({ clock });
    await mkdir(join(t.dir, '.locks'), { recursive: true });
    const live = {
      owner: `${process.ppid}:live`,
      pid: process.ppid,
      host: hostname(),
      expires_at_ms: clock.now() + 60_000,
    };
    await writeFile(lockPath(), JSON.stringify(live));
    const err = await store.withLock(KEY, 1_000, async () => 'no', { waitMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.STORAGE_LOCK_TIMEOUT });
    expect((await readLock()).owner).toBe(live.owner);
  });
});
