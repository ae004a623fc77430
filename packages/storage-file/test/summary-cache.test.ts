import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type AccountSummary, createRecordCipher } from '@hft/auth-core';
import { sampleRecord } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { LISTING_DIR } from '../src/file-names.js';
import { SUMMARY_CACHE_FILE } from '../src/summary-cache.js';
import { useTempDir } from './helpers/temp-dir.js';

const t = useTempDir();
const cachePath = () => join(t.dir, LISTING_DIR, SUMMARY_CACHE_FILE);

type CacheFile = { v: number; clientId: string | null; dir: string | null; files: Record<string, unknown[]> };
const readCache = () => JSON.parse(readFileSync(cachePath(), 'utf8')) as CacheFile;

/** Rewrites the user name the cache holds for every file, leaving each signature as it is. */
function forgeUserNames(userName: string): void {
  const cache = readCache();
  for (const entry of Object.values(cache.files)) entry[5] = userName;
  writeFileSync(cachePath(), JSON.stringify(cache));
}

/** Makes the token directory look last changed an hour ago. */
function settle(): void {
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(t.dir, past, past);
}

const userNames = (summaries: AccountSummary[]) => summaries.map((s) => s.userName).sort();

async function seeded(count: number) {
  const store = t.open();
  const records = Array.from({ length: count }, (_, i) =>
    sampleRecord({ userId: `SC${i}`, accountName: `desk-${i}`, userName: `User ${i}` }),
  );
  for (const r of records) await store.set(r.accountKey, r);
  return { store, records };
}

describe('file store listing cache', () => {
  it('a listing writes the cache (0600, no token); the next listing takes unchanged files from it', async () => {
    const { store, records } = await seeded(4);
    expect(existsSync(cachePath())).toBe(false);
    const first = await store.summaries();
    expect(first).toHaveLength(4);
    expect(statSync(cachePath()).mode & 0o777).toBe(0o600);
    const text = readFileSync(cachePath(), 'utf8');
    for (const r of records) expect(text).not.toContain(r.tokens.daily!.token);
    expect(Object.keys(readCache().files)).toHaveLength(4);

    // A cached summary is served while its file's signature holds: the forged name shows that
    // no token file was read.
    forgeUserNames('From the cache');
    expect(userNames(await t.open().summaries())).toEqual(Array(4).fill('From the cache'));
    expect((await t.open().list()).sort()).toEqual(records.map((r) => r.accountKey).sort());
  });

  it('a write, an edit in place, a chmod, a removal and a new file each send the listing back to the files', async () => {
    const { store, records } = await seeded(3);
    await store.summaries();
    forgeUserNames('stale');
    const renamed = { ...records[0]!, userName: 'Renamed' };
    await store.set(renamed.accountKey, renamed);
    const after = await t.open().summaries();
    expect(after.find((s) => s.key === renamed.accountKey)?.userName).toBe('Renamed');
    // The others were not written: still from the cache.
    expect(after.filter((s) => s.userName === 'stale')).toHaveLength(2);

    // An edit in place (same inode) with the times put back is still seen: the change time moves.
    const path = join(t.dir, readdirSync(t.dir).find((n) => n.includes('SC1'))!);
    const before = statSync(path);
    writeFileSync(path, readFileSync(path, 'utf8').replace('User 1', 'Edited'));
    utimesSync(path, before.atime, before.mtime);
    expect((await t.open().summaries()).find((s) => s.userId === 'SC1')?.userName).toBe('Edited');

    forgeUserNames('stale again');
    chmodSync(path, 0o644);
    const listed = await t.open().summaries();
    expect(listed.find((s) => s.userId === 'SC1')?.userName).toBe('Edited');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(t.warnings.map((w) => w.code)).toContain('mode-tightened');

    await store.delete(records[2]!.accountKey);
    const extra = sampleRecord({ userId: 'SC9', userName: 'Newcomer' });
    await store.set(extra.accountKey, extra);
    const now = await t.open().summaries();
    expect(now.map((s) => s.userId).sort()).toEqual(['SC0', 'SC1', 'SC9']);
    expect(Object.keys(readCache().files)).toHaveLength(3);
  });

  it('a cache that is garbage, of another format or of another clientId option is rebuilt, never trusted', async () => {
    const { store } = await seeded(2);
    await store.summaries();
    const good = readCache();

    for (const bad of [
      'not json',
      JSON.stringify({ ...good, v: 99, files: mapFiles(good, 'other version') }),
      JSON.stringify({ ...good, clientId: 'someone-else', files: mapFiles(good, 'other client') }),
      JSON.stringify({ ...good, files: mapFiles(good, 42) }),
    ]) {
      writeFileSync(cachePath(), bad);
      expect(userNames(await t.open().summaries())).toEqual(['User 0', 'User 1']);
      expect(readCache().v).toBe(1);
    }
  });

  it('a directory that settled before the listing is vouched for whole: served from the cache until anything in it is created, renamed or removed', async () => {
    const { store, records } = await seeded(3);
    await store.summaries();
    // Just written: the directory may still change within the same timestamp tick.
    expect(readCache().dir).toBeNull();
    settle();
    await t.open().summaries();
    expect(readCache().dir).toEqual(expect.any(String));

    // Vouched for whole: the files are not even looked at, so an edit in place (which leaves the
    // directory alone) shows only once the directory changes. Writers always rename.
    forgeUserNames('whole');
    const path = join(t.dir, readdirSync(t.dir).find((n) => n.includes('SC1'))!);
    writeFileSync(path, readFileSync(path, 'utf8').replace('User 1', 'Edited'));
    expect(userNames(await t.open().summaries())).toEqual(['whole', 'whole', 'whole']);

    // A write anywhere in the directory (a rename) withdraws the vouching at once.
    const extra = sampleRecord({ userId: 'SC7', userName: 'Seventh' });
    await store.set(extra.accountKey, extra);
    const after = await t.open().summaries();
    expect(after.map((s) => s.userId).sort()).toEqual(['SC0', 'SC1', 'SC2', 'SC7']);
    expect(after.find((s) => s.userId === 'SC1')?.userName).toBe('Edited');
    expect(after.find((s) => s.userId === 'SC7')?.userName).toBe('Seventh');
    expect(readCache().dir).toBeNull();

    settle();
    await t.open().summaries();
    await store.delete(records[0]!.accountKey);
    expect((await t.open().list()).sort()).toEqual(
      [records[1]!, records[2]!, extra].map((r) => r.accountKey).sort(),
    );
  });

  it('an unchanged cache is not rewritten while the directory settles, and is once it has', async () => {
    await seeded(3);
    await t.open().summaries();
    const written = statSync(cachePath());
    // The directory changes (an entry made and removed) but no token file does.
    writeFileSync(join(t.dir, 'scratch'), '');
    rmSync(join(t.dir, 'scratch'));
    expect((await t.open().summaries()).map((s) => s.userId).sort()).toEqual(['SC0', 'SC1', 'SC2']);
    expect(statSync(cachePath()).ino).toBe(written.ino);
    expect(readCache().dir).toBeNull();
    // Settled: the next listing rewrites it, now vouching for the whole directory.
    settle();
    await t.open().summaries();
    expect(statSync(cachePath()).ino).not.toBe(written.ino);
    expect(readCache().dir).toEqual(expect.any(String));
  });

  it('a directory holding a file that is no account (foreign) is never vouched for whole', async () => {
    const { store, records } = await seeded(2);
    const own = readdirSync(t.dir).find((n) => n.includes('SC1'))!;
    copyFileSync(join(t.dir, own), join(t.dir, own.replace('SC1', 'SC5')));
    settle();
    expect(await store.summaries()).toHaveLength(2);
    expect(readCache().dir).toBeNull();
    expect(t.warnings.map((w) => w.code)).toContain('foreign-file');
    expect((await t.open().list()).sort()).toEqual(records.map((r) => r.accountKey).sort());
  });

  it('a store with a cipher keeps no cache', async () => {
    const store = t.open({ cipher: createRecordCipher({ key: randomBytes(32) }) });
    const record = sampleRecord({ userName: 'Sealed User' });
    await store.set(record.accountKey, record);
    expect(await store.summaries()).toHaveLength(1);
    expect(existsSync(cachePath())).toBe(false);
  });
});

/** `cache`'s files with every user name replaced by `userName` (any JSON value). */
function mapFiles(cache: CacheFile, userName: unknown): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(cache.files).map(([name, entry]) => [name, [...entry.slice(0, 5), userName]]),
  );
}
