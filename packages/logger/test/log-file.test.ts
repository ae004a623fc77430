import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@hft/errors';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createLogger, LOG_DIR_MODE, LOG_FILE_MODE } from '../src/index.js';
import { CapturedStream, makeTempDir, manualClock, modeOf, readLines } from './helpers.js';

let temp: ReturnType<typeof makeTempDir>;
let savedUmask: number;

beforeEach(() => {
  temp = makeTempDir();
  savedUmask = process.umask();
});

afterEach(() => {
  process.umask(savedUmask);
  temp.cleanup();
});

describe('file and directory modes', () => {
  test('a new file is 0600 and every directory created for it 0700, even under a restrictive umask', async () => {
    // umask 0277 would give 0500 directories and 0400 files if modes were left to mkdir/open.
    process.umask(0o277);
    const file = path.join(temp.dir, 'state', 'logs', 'hft.log');
    const log = createLogger({ file, console: false });
    log.info('first');
    await log.close();
    expect(LOG_FILE_MODE).toBe(0o600);
    expect(LOG_DIR_MODE).toBe(0o700);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(modeOf(path.join(temp.dir, 'state'))).toBe(0o700);
    expect(readLines(file)).toHaveLength(1);
  });

  test('an existing 0644 file is tightened to 0600 and appended to', async () => {
    const file = path.join(temp.dir, 'existing.log');
    fs.writeFileSync(file, '{"old":true}\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(modeOf(file)).toBe(0o644);
    const log = createLogger({ file, console: false });
    expect(modeOf(file)).toBe(0o600);
    log.info('appended');
    await log.close();
    const lines = readLines(file);
    expect(lines[0]).toBe('{"old":true}');
    expect(JSON.parse(lines[1]!)).toMatchObject({ message: 'appended' });
  });

  test('an existing directory keeps its mode (it may be shared)', async () => {
    const dir = path.join(temp.dir, 'shared');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const log = createLogger({ file: path.join(dir, 'hft.log'), console: false });
    await log.close();
    expect(modeOf(dir)).toBe(0o755);
    expect(modeOf(path.join(dir, 'hft.log'))).toBe(0o600);
  });

  test('a symbolic link or a directory at the log path is refused', () => {
    const victim = path.join(temp.dir, 'victim.txt');
    fs.writeFileSync(victim, 'do not touch', { mode: 0o644 });
    const link = path.join(temp.dir, 'link.log');
    fs.symlinkSync(victim, link);
    expect(() => createLogger({ file: link, console: false })).toThrow(ConfigError);
    expect(() => createLogger({ file: link, console: false })).toThrow(/symbolic link/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('do not touch');
    expect(modeOf(victim)).toBe(0o644);
    expect(() => createLogger({ file: temp.dir, console: false })).toThrow(/not a regular file/);
  });
});

describe('close()', () => {
  test('resolves only after every entry is in the file', async () => {
    const file = path.join(temp.dir, 'burst.log');
    const log = createLogger({ file, console: false, clock: manualClock().now });
    for (let i = 0; i < 3000; i++) log.info(`entry ${i}`, { i });
    await log.close();
    const lines = readLines(file);
    expect(lines).toHaveLength(3000);
    expect(lines.map((line) => (JSON.parse(line) as { meta: { i: number } }).meta.i)).toEqual(
      Array.from({ length: 3000 }, (_, i) => i),
    );
  });

  test('is idempotent, drops later entries, and leaves the console stream open', async () => {
    const file = path.join(temp.dir, 'after.log');
    const stream = new CapturedStream();
    const log = createLogger({ file, stream, clock: manualClock().now });
    const child = log.child({ c: 1 });
    log.info('before');
    const first = log.close();
    expect(child.close()).toBe(first);
    await first;
    log.error('after close');
    child.error('after close from child');
    await log.close();
    expect(readLines(file)).toHaveLength(1);
    expect(stream.lines).toHaveLength(1);
    expect(stream.writableEnded).toBe(false);
  });

  test('two loggers may append to the same file', async () => {
    const file = path.join(temp.dir, 'shared.log');
    const a = createLogger({ file, console: false, name: 'a' });
    const b = createLogger({ file, console: false, name: 'b' });
    a.info('from a');
    b.info('from b');
    await Promise.all([a.close(), b.close()]);
    const names = readLines(file).map((line) => (JSON.parse(line) as { name: string }).name);
    expect(names.sort()).toEqual(['a', 'b']);
  });
});

describe('rotation by size', () => {
  test('rotates past maxBytes, keeps maxFiles files in all, each 0600, losing no line of the kept ones', async () => {
    process.umask(0o022);
    const file = path.join(temp.dir, 'hft.log');
    const log = createLogger({ file, console: false, rotation: { maxBytes: 2_000, maxFiles: 3 } });
    const total = 200;
    for (let i = 0; i < total; i += 1) log.info('entry', { i, pad: 'x'.repeat(40) });
    await log.close();
    const names = fs.readdirSync(temp.dir).sort();
    expect(names).toEqual(['hft.log', 'hft.log.1', 'hft.log.2']);
    const seen: number[] = [];
    for (const name of ['hft.log.2', 'hft.log.1', 'hft.log']) {
      const full = path.join(temp.dir, name);
      expect(modeOf(full)).toBe(0o600);
      expect(fs.statSync(full).size).toBeLessThanOrEqual(2_000);
      seen.push(...readLines(full).map((line) => (JSON.parse(line) as { meta: { i: number } }).meta.i));
    }
    // Oldest first, in order, ending with the last entry: only whole older files were dropped.
    expect(seen.at(-1)).toBe(total - 1);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, k) => total - seen.length + k));
  });

  test('reopens the live file when another process rotated it, rotating nothing twice', async () => {
    const file = path.join(temp.dir, 'shared.log');
    const log = createLogger({ file, console: false, rotation: { maxBytes: 500, maxFiles: 3 } });
    log.info('before', { pad: 'y'.repeat(400) });
    await new Promise((r) => setTimeout(r, 50));
    // Another process rotated: the path is a new file now.
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, '', { mode: 0o600 });
    log.info('after', { pad: 'z'.repeat(200) });
    await log.close();
    expect(fs.readdirSync(temp.dir).sort()).toEqual(['shared.log', 'shared.log.1']);
    expect(readLines(file).map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['after']);
    expect(readLines(`${file}.1`).map((l) => (JSON.parse(l) as { message: string }).message)).toEqual([
      'before',
    ]);
  });

  test('maxBytes 0 never rotates; bad rotation options are refused', async () => {
    const file = path.join(temp.dir, 'one.log');
    const log = createLogger({ file, console: false, rotation: { maxBytes: 0 } });
    for (let i = 0; i < 50; i += 1) log.info('entry', { pad: 'x'.repeat(100) });
    await log.close();
    expect(fs.readdirSync(temp.dir)).toEqual(['one.log']);
    expect(() => createLogger({ file, console: false, rotation: { maxFiles: 0 } })).toThrow(/maxFiles/);
    expect(() => createLogger({ file, console: false, rotation: { maxBytes: -1 } })).toThrow(/maxBytes/);
  });
});
