import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/homes.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

const TRACER = fileURLToPath(new URL('./fixtures/trace-imports.mjs', import.meta.url));

let upstox: TestUpstox;
let account: TestAccount;
beforeAll(async () => {
  upstox = await TestUpstox.start();
  account = await upstox.account();
  const { result } = await upstox.login(account);
  expect(result.code, result.stderr).toBe(0);
});
afterAll(() => upstox?.close());

/** Runs the CLI under the import tracer; returns its result and every resolved module URL. */
async function traced(args: string[]) {
  const file = join(tempDir('trace-'), 'imports.txt');
  const result = await runCli(args, {
    env: { ...account.env, HFT_TRACE_IMPORTS: file },
    nodeArgs: ['--import', TRACER],
  });
  const urls = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[1] as string);
  return { result, urls };
}

const HEAVY = {
  axios: /\/axios\//,
  winston: /\/winston\//,
  '@hft/logger': /\/packages\/logger\/|\/@hft\/logger\//,
  '@hft/upstox-emulator': /\/upstox-emulator\//,
};

function loaded(urls: string[]): string[] {
  return Object.entries(HEAVY)
    .filter(([, pattern]) => urls.some((url) => pattern.test(url)))
    .map(([name]) => name);
}

describe('lazy loading', () => {
  it('hft token resolves neither axios, winston, the logger nor the emulator', async () => {
    const { result, urls } = await traced(['token']);
    expect(result.code, result.stderr).toBe(0);
    // The tracer saw what the fast path's bundle requires (the bundle itself is compiled by the
    // bin, with V8's code cache): it was recording.
    expect(urls).toContain('fs/promises');
    // ...and none of the heavy ones.
    expect(loaded(urls)).toEqual([]);
  });

  it('the tracer does see them when a command needs them (whoami)', async () => {
    const { result, urls } = await traced(['whoami']);
    expect(result.code, result.stderr).toBe(0);
    expect(loaded(urls)).toEqual(['axios', 'winston', '@hft/logger']);
  });
});
