import { mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenStoreChange } from '@hft/auth-core';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_FILE } from '../src/index.js';
import { useTempDir } from './helpers/temp-dir.js';

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watch', () => {
  const t = useTempDir();

  it('reports an in-place edit (as an editor makes) and stays quiet when only the mtime changes', async () => {
    const writer = t.open();
    const record = sampleRecord();
    await writer.set(record.accountKey, record);
    const store = t.open();
    const changes: TokenStoreChange[] = [];
    const stop = store.watch(record.accountKey, (c) => changes.push(c));
    const path = join(t.dir, DEFAULT_TOKEN_FILE);

    const later = new Date(Date.now() + 60_000);
    await utimes(path, later, later);
    await quiet(150);
    expect(changes).toEqual([]);

    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(record.tokens.daily!.token, 'edited-by-hand'));
    await waitFor(() => changes.length > 0, 'the edit');
    expect(changes).toEqual([{ key: record.accountKey, kind: 'set' }]);
    expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe('edited-by-hand');
    stop();
  });

  it('follows the key in the default file and ignores writes of other accounts', async () => {
    const store = t.open();
    const mine = sampleRecord({ userId: 'MINE1' });
    await store.set(mine.accountKey, mine);
    const changes: TokenStoreChange[] = [];
    const stop = store.watch(mine.accountKey, (c) => changes.push(c));
    for (let i = 0; i < 3; i++) {
      const other = sampleRecord({ userId: `OTHER${i}` });
      await store.set(other.accountKey, other);
    }
    await quiet(150);
    expect(changes).toEqual([]);
    await store.delete(mine.accountKey);
    await waitFor(() => changes.length > 0, 'the delete');
    expect(changes).toEqual([{ key: mine.accountKey, kind: 'delete' }]);
    stop();
  });

  it('keeps working when the token directory is removed and created again', async () => {
    const store = t.open();
    const record = sampleRecord();
    const changes: TokenStoreChange[] = [];
    const stop = store.watch(record.accountKey, (c) => changes.push(c));
    const writer = t.open();
    await writer.set(record.accountKey, record);
    await waitFor(() => changes.length === 1, 'the first write');

    // Replaced by a new directory (a restore from backup, a `rm -rf` and re-login...).
    await rename(t.dir, `${t.dir}.old`);
    await mkdir(t.dir, { mode: 0o700 });
    // The watch may first see the new, empty directory (a true "delete") before the write lands,
    // so wait for the kind expected last rather than for a count of changes.
    const seen = changes.length;
    await writer.set(record.accountKey, withDaily(record, { token: 'in-the-new-dir' }));
    await waitFor(
      () => changes.length > seen && changes.at(-1)?.kind === 'set',
      'the write into the new directory',
    );
    expect(changes.at(-1)).toEqual({ key: record.accountKey, kind: 'set' });

    // Gone for a while, then back.
    await rm(t.dir, { recursive: true });
    await waitFor(() => changes.at(-1)?.kind === 'delete', 'the delete with the directory');
    expect(changes.at(-1)).toEqual({ key: record.accountKey, kind: 'delete' });
    await writer.set(record.accountKey, withDaily(record, { token: 'after-recreate' }));
    await waitFor(() => changes.at(-1)?.kind === 'set', 'the write after the directory came back');
    expect(changes.at(-1)).toEqual({ key: record.accountKey, kind: 'set' });
    expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe('after-recreate');
    stop();
  });

  it('gathers a burst of writes into fewer notifications', async () => {
    const store = t.open({ watchDebounceMs: 400 });
    const record = sampleRecord();
    const changes: TokenStoreChange[] = [];
    const stop = store.watch(record.accountKey, (c) => changes.push(c));
    const writer = t.open();
    for (let i = 0; i < 10; i++)
      await writer.set(record.accountKey, withDaily(record, { token: `burst-${i}` }));
    await waitFor(() => changes.length > 0, 'a notification');
    await quiet(500);
    expect(changes.length).toBeLessThan(10);
    expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe('burst-9');
    stop();
  });

  it('tolerates a subscriber that throws', async () => {
    const store = t.open();
    const record = sampleRecord();
    const seen: string[] = [];
    const stopBad = store.watch(record.accountKey, () => {
      throw new Error('subscriber bug');
    });
    const stopGood = store.watch(record.accountKey, (c) => seen.push(c.kind));
    await t.open().set(record.accountKey, record);
    await waitFor(() => seen.length > 0, 'the good subscriber');
    expect(seen).toEqual(['set']);
    stopBad();
    stopGood();
  });
});
