import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleRecord } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_FILE, describeLooseMode } from '../src/index.js';
import { useTempDir } from './helpers/temp-dir.js';

describe('describeLooseMode', () => {
  it.each([
    [0o777, 'world-writable, group-writable and readable by others'],
    [0o757, 'world-writable and readable by others'],
    [0o773, 'world-writable, group-writable and readable by its group'],
    [0o770, 'group-writable and readable by its group'],
    [0o755, 'readable by others'],
    [0o644, 'readable by others'],
    [0o640, 'readable by its group'],
    [0o750, 'readable by its group'],
    [0o711, 'accessible to others'],
    [0o710, 'accessible to its group'],
    [0o702, 'world-writable'],
    [0o100777, 'world-writable, group-writable and readable by others'],
  ])('%s is %s', (mode, words) => {
    expect(describeLooseMode(mode)).toBe(words);
  });

  it('private modes have nothing to say', () => {
    for (const mode of [0o700, 0o600, 0o400, 0o000]) expect(describeLooseMode(mode)).toBeUndefined();
  });
});

describe('the mode-tightened warning', () => {
  const t = useTempDir();

  it('a 0777 token directory is called world-writable (not "readable by others"), with the chmod', async () => {
    await mkdir(t.dir);
    await chmod(t.dir, 0o777);
    const store = t.open();
    expect(await store.list()).toEqual([]);
    expect((await stat(t.dir)).mode & 0o777).toBe(0o700);
    expect(t.warnings).toEqual([
      expect.objectContaining({ code: 'mode-tightened', path: t.dir, mode: 0o777 }),
    ]);
    expect(t.warnings[0]?.message).toBe(
      `${t.dir} had mode 0777 (world-writable, group-writable and readable by others); the store set it to 0700, as \`chmod 700 ${t.dir}\` would. Others could have added or replaced token files in it: check them`,
    );
  });

  it('a 0644 token file is readable by others; the fix is chmod 600', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    await chmod(path, 0o644);
    await store.get(record.accountKey);
    expect(t.warnings.map((w) => w.message)).toEqual([
      `${path} had mode 0644 (readable by others); the store set it to 0600, as \`chmod 600 ${path}\` would`,
    ]);
  });
});
