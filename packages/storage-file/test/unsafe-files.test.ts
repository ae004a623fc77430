import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, StorageError } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_FILE } from '../src/index.js';
import { useTempDir } from './helpers/temp-dir.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as StorageError,
  );

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('paths that are not plain token files', () => {
  const t = useTempDir();

  async function expectRefused(promise: Promise<unknown>, path: string, what: string): Promise<void> {
    const err = await failure(promise);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe(ErrorCodes.STORAGE_UNSAFE_FILE);
    expect(err.message).toMatch(/^file store: /);
    expect(err.message).toContain(path);
    expect(err.message).toContain(what);
    expect(err.details.paths).toEqual([path]);
  }

  it('refuses a symbolic link at the token path, leaving its target and its mode alone', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    const outside = join(t.root, 'outside.json');
    const text = await readFile(path, 'utf8');
    await writeFile(outside, text);
    await chmod(outside, 0o644);
    await rm(path);
    await symlink(outside, path);

    const reader = t.open();
    await expectRefused(reader.get(record.accountKey), path, 'a symbolic link');
    await expectRefused(reader.list(), path, 'a symbolic link');
    await expectRefused(reader.set(record.accountKey, record), path, 'a symbolic link');
    expect((await stat(outside)).mode & 0o777).toBe(0o644);
    expect(await readFile(outside, 'utf8')).toBe(text);
    expect(t.warnings).toEqual([]);
  });

  it('refuses a FIFO at the token path at once instead of waiting for a writer', async () => {
    await mkdir(t.dir, { recursive: true, mode: 0o700 });
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    execFileSync('mkfifo', ['-m', '600', path]);
    const store = t.open();
    const key = sampleRecord().accountKey;
    await expectRefused(store.get(key), path, 'a FIFO');
    await expectRefused(store.list(), path, 'a FIFO');
  });

  it('starts a watch beside a FIFO without blocking, and refuses a FIFO lock file', async () => {
    await mkdir(join(t.dir, '.locks'), { recursive: true, mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', join(t.dir, DEFAULT_TOKEN_FILE)]);
    const store = t.open();
    const key = sampleRecord().accountKey;
    const stop = store.watch(key, () => {});
    stop();
    const lock = join(t.dir, '.locks', 'upstox%3Aconformance-client%3AAB1234.lock');
    execFileSync('mkfifo', ['-m', '600', lock]);
    const err = await failure(store.withLock(key, 1_000, async () => 'no'));
    expect(err.code).toBe(ErrorCodes.STORAGE_UNSAFE_FILE);
    expect(err.message).toContain(lock);
  });

  it('refuses a token file over 1 MiB', async () => {
    const store = t.open();
    const a = sampleRecord({ userId: 'AAA1' });
    const b = sampleRecord({ userId: 'BBB2' });
    await store.set(a.accountKey, a);
    await store.set(b.accountKey, b);
    const path = join(t.dir, 'upstox_token.conformance-client.BBB2.json');
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...file, pad: 'x'.repeat(2 * 1024 * 1024) }));
    // The size first: a get that fails at once must not wait, unhandled, for the stat.
    const size = (await stat(path)).size;
    await expectRefused(t.open().get(b.accountKey), path, `${size} bytes long`);
    // The other account's file is still read.
    expect(await t.open().get(a.accountKey)).toEqual(a);
    expect(await readdir(t.dir)).toContain('upstox_token.conformance-client.BBB2.json');
  });
});

describe('temp files left by a crashed writer', () => {
  const t = useTempDir();

  it('removes, at the next write, those of a dead writer or older than a few seconds, never a live fresh one', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const token = await readFile(join(t.dir, DEFAULT_TOKEN_FILE), 'utf8');
    const dead = `${DEFAULT_TOKEN_FILE}.tmp-${deadPid()}-0123456789ab`;
    const old = `upstox_token.conformance-client.USER2.json.tmp-${process.ppid}-0123456789ab`;
    const live = `${DEFAULT_TOKEN_FILE}.tmp-${process.ppid}-ba9876543210`;
    const corrupt = `${DEFAULT_TOKEN_FILE}.corrupt-20261126T220000.123Z`;
    for (const name of [dead, old, live, corrupt]) await writeFile(join(t.dir, name), token, { mode: 0o600 });
    const past = new Date(Date.now() - 10 * 60_000);
    await utimes(join(t.dir, old), past, past);

    await store.set(record.accountKey, withDaily(record, { token: 'second' }));
    const names = await readdir(t.dir);
    expect(names).not.toContain(dead);
    expect(names).not.toContain(old);
    expect(names).toEqual(expect.arrayContaining([DEFAULT_TOKEN_FILE, live, corrupt]));
  });
});
