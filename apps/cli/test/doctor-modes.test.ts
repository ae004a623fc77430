import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** A fresh account whose token directory exists with `mode`. */
async function accountWithTokenDir(mode: number) {
  const account = await upstox.account();
  const dir = join(account.home, 'tokens');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
  return { account, dir };
}

describe('hft doctor and the store: a loose token directory is named for what it is', () => {
  it('0777: world-writable (not "readable by others"), with chmod 700 DIR', async () => {
    const { account, dir } = await accountWithTokenDir(0o777);
    const human = await runCli(['doctor'], { env: account.env });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(
      `FAIL  store permissions: ${dir} is 0777 (world-writable, group-writable and readable by others), others could have added or replaced token files in it: check them`,
    );
    expect(human.stdout).toContain(`      fix: chmod 700 ${dir}\n`);
    // The store tightened it while opening, and said so in the same words.
    expect(human.stderr).toContain(
      `warning: ${dir} had mode 0777 (world-writable, group-writable and readable by others); the store set it to 0700, as \`chmod 700 ${dir}\` would.`,
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const again = await runCli(['doctor', '--json'], { env: account.env });
    const check = (JSON.parse(again.stdout) as { checks: Check[] }).checks.find(
      (c) => c.name === 'store permissions',
    );
    expect(check?.status).toBe('pass');
  });

  it('0755: readable by others, with chmod 700 DIR (--json)', async () => {
    const { account, dir } = await accountWithTokenDir(0o755);
    const json = await runCli(['doctor', '--json'], { env: account.env });
    expect(json.code).toBe(1);
    const check = (JSON.parse(json.stdout) as { checks: Check[] }).checks.find(
      (c) => c.name === 'store permissions',
    );
    expect(check).toEqual({
      name: 'store permissions',
      status: 'fail',
      detail: `${dir} is 0755 (readable by others)`,
      fix: `chmod 700 ${dir}`,
    });
  });

  it('many loose token files: five named, the rest counted, one bounded fix', async () => {
    const { account, dir } = await accountWithTokenDir(0o700);
    for (let i = 0; i < 12; i += 1) {
      // Not token files the store reads (it would move "{}" aside), but .json files doctor checks.
      const file = join(dir, `backup-${String(i).padStart(2, '0')}.json`);
      writeFileSync(file, '{}', { mode: 0o644 });
      chmodSync(file, 0o644);
    }
    const json = await runCli(['doctor', '--json'], { env: account.env });
    const check = (JSON.parse(json.stdout) as { checks: Check[] }).checks.find(
      (c) => c.name === 'store permissions',
    );
    expect(check?.status, json.stdout).toBe('fail');
    expect(check?.detail.match(/backup-/g)).toHaveLength(5);
    expect(check?.detail).toContain('and 7 more token files');
    expect(check?.fix).toBe(`chmod 600 ${join(dir, '*.json')}`);
  });
});
