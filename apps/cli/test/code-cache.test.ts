import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/homes.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
let account: TestAccount;
let token = '';
beforeAll(async () => {
  upstox = await TestUpstox.start();
  account = await upstox.account();
  const { result } = await upstox.login(account);
  expect(result.code, result.stderr).toBe(0);
  const first = await runCli(['token'], { env: account.env });
  expect(first.code, first.stderr).toBe(0);
  token = first.stdout.trim();
});
afterAll(() => upstox?.close());

/** `hft token` with its code cache under `cacheHome`; the cache files there after it ran. */
async function tokenWithCache(cacheHome: string) {
  const result = await runCli(['token'], { env: { ...account.env, XDG_CACHE_HOME: cacheHome } });
  const dir = join(cacheHome, 'hft');
  const files = existsSync(dir) ? readdirSync(dir) : [];
  return { result, dir, files };
}

describe('the fast path code cache', () => {
  it('a first run writes it (0600 in a 0700 directory, no secret); later runs print the same', async () => {
    const home = tempDir('cache-');
    const first = await tokenWithCache(home);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.result.stdout.trim()).toBe(token);
    expect(first.files).toEqual([
      expect.stringMatching(/^fast-path-[0-9a-f]{8}-v\d+\.\d+\.\d+-\w+-\d+-\d+-\d+\.v8$/),
    ]);
    const file = join(first.dir, first.files[0]!);
    expect(statSync(first.dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).includes(token)).toBe(false);
    const written = statSync(file).mtimeMs;

    const second = await tokenWithCache(home);
    expect(second.result).toMatchObject({ code: 0, stdout: first.result.stdout, stderr: '' });
    // Used, not rewritten.
    expect(statSync(file).mtimeMs).toBe(written);
  });

  it('a cache V8 refuses (garbage) costs only the compilation: the same output, and it is rewritten', async () => {
    const home = tempDir('cache-');
    const { dir, files } = await tokenWithCache(home);
    const file = join(dir, files[0]!);
    writeFileSync(file, 'not a code cache at all');
    const again = await tokenWithCache(home);
    expect(again.result).toMatchObject({ code: 0, stdout: `${token}\n`, stderr: '' });
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  it("the cache of an earlier version of this copy is removed when this one is written; another copy's stays", async () => {
    const home = tempDir('cache-');
    const { dir, files } = await tokenWithCache(home);
    const prefix = /^fast-path-[0-9a-f]{8}-/.exec(files[0]!)![0];
    const stale = `${prefix}v0.0.0-x64-1-1-1.v8`;
    const otherCopy = 'fast-path-00000000-v0.0.0-x64-1-1-1.v8';
    for (const name of [stale, otherCopy]) writeFileSync(join(dir, name), 'old', { mode: 0o600 });
    writeFileSync(join(dir, files[0]!), 'refused');
    await tokenWithCache(home);
    expect(readdirSync(dir).sort()).toEqual([...files, otherCopy].sort());
  });

  it('a cache directory others may write is not used: nothing is read from it or written to it', async () => {
    const home = tempDir('cache-');
    const { dir, files } = await tokenWithCache(home);
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, files[0]!), 'planted by someone else');
    const run = await tokenWithCache(home);
    expect(run.result).toMatchObject({ code: 0, stdout: `${token}\n`, stderr: '' });
    expect(readFileSync(join(dir, files[0]!), 'utf8')).toBe('planted by someone else');
  });
});
