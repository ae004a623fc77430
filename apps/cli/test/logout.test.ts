import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME } from './helpers/cli.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterEach(() => upstox.emu.clearFaults());
afterAll(() => upstox?.close());

/** A logged-in account and its token. */
async function loggedIn(): Promise<{ account: TestAccount; token: string }> {
  const account = await upstox.account();
  const { result } = await upstox.login(account);
  expect(result.code, result.stderr).toBe(0);
  const token = await runCli(['token'], { env: account.env });
  expect(token.code).toBe(0);
  return { account, token: token.stdout.trim() };
}

async function profileStatus(token: string): Promise<number> {
  const res = await fetch(`${upstox.emu.url}/v2/user/profile`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.text();
  return res.status;
}

function logoutRequests(since: number) {
  return upstox.emu.requests.filter((r) => r.id > since && r.method === 'DELETE' && r.path === '/v2/logout');
}

function tokenFiles(home: string): string[] {
  const dir = join(home, 'tokens');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
}

/** The token files that still hold a daily token (`access_token`). */
function dailyTokensOnDisk(home: string): string[] {
  return tokenFiles(home).filter(
    (f) => 'access_token' in (JSON.parse(readFileSync(join(home, 'tokens', f), 'utf8')) as object),
  );
}

describe('hft logout', () => {
  it('revokes the token at Upstox and deletes it locally', async () => {
    const { account, token } = await loggedIn();
    const before = upstox.lastRequestId();
    const result = await runCli(['logout'], { env: account.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'Logged out upstox:emulator-client:EMU001: daily token deleted locally, revoked at Upstox.',
    );
    const sent = logoutRequests(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(await profileStatus(token)).toBe(401);
    expect(dailyTokensOnDisk(account.home)).toEqual([]);
    expect((await runCli(['token'], { env: account.env })).code).toBe(3);
    // The extended token stays (read-only APIs keep working), and status says so.
    expect(result.stderr).toContain('Still stored: extended');
    expect(tokenFiles(account.home)).toHaveLength(1);
    // Again: nothing to do, still exit 0.
    const again = await runCli(['logout'], { env: account.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to log out: no daily token stored (held: extended)');
    // --all removes the rest, and the file with it.
    const all = await runCli(['logout', '--all', '--json'], { env: account.env });
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ removed_kinds: ['extended'], remaining_kinds: [] });
    expect(tokenFiles(account.home)).toEqual([]);
  });

  it('--kind removes one kind only; a bad kind, or --all with --kind, is a usage error', async () => {
    const { account } = await loggedIn();
    const one = await runCli(['logout', '--kind', 'extended', '--json'], { env: account.env });
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({
      removed_kinds: ['extended'],
      remaining_kinds: ['daily'],
      broker: 'skipped',
    });
    expect((await runCli(['token'], { env: account.env })).code).toBe(0);
    const bad = await runCli(['logout', '--kind', 'weekly'], { env: account.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind must be one of daily, extended, analytics, sandbox (got "weekly")');
    const both = await runCli(['logout', '--all', '--kind', 'daily'], { env: account.env });
    expect(both.code).toBe(2);
    expect((await runCli(['token'], { env: account.env })).code).toBe(0);
  });

  it('--local deletes only the local token: no DELETE /v2/logout reaches Upstox', async () => {
    const { account, token } = await loggedIn();
    const before = upstox.lastRequestId();
    const result = await runCli(['logout', '--local', '--json'], { env: account.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      account: 'upstox:emulator-client:EMU001',
      local_removed: true,
      removed_kinds: ['daily'],
      remaining_kinds: ['extended'],
      broker: 'skipped',
      error: null,
    });
    expect(logoutRequests(before)).toEqual([]);
    expect(await profileStatus(token)).toBe(200);
    expect(dailyTokensOnDisk(account.home)).toEqual([]);
  });

  it('when Upstox fails the logout, the local token is deleted anyway; exit 1 with the reason', async () => {
    const { account, token } = await loggedIn();
    upstox.emu.setFault('DELETE /v2/logout', { status: 500 });
    const before = upstox.lastRequestId();
    const result = await runCli(['logout'], { env: account.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('daily token deleted locally, NOT revoked at Upstox');
    expect(result.stderr).toContain('hft: Upstox logout failed');
    expect(result.stderr).toContain('HTTP 500');
    expect(result.stderr).toContain('Upstox may still accept it until it expires');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(logoutRequests(before)).toHaveLength(1);
    expect(dailyTokensOnDisk(account.home)).toEqual([]);
    // Upstox never revoked it: the token still works there (the user was told).
    expect(await profileStatus(token)).toBe(200);
  });
});

describe('hft logout of a token that is already dead', () => {
  it('expired (emulator clock in the past at login): nothing sent to Upstox, local delete, exit 0', async () => {
    const account = await upstox.account();
    upstox.emu.clock.set(Date.now() - 3 * 86_400_000);
    try {
      expect((await upstox.login(account)).result.code).toBe(0);
    } finally {
      upstox.emu.clock.set(Date.now());
    }
    const before = upstox.lastRequestId();
    const result = await runCli(['logout'], { env: account.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('it had expired, so there was nothing to revoke at Upstox');
    expect(logoutRequests(before)).toEqual([]);
    expect(dailyTokensOnDisk(account.home)).toEqual([]);
  });

  it('revoked elsewhere: Upstox says it is invalid already, which is what logout wanted; exit 0', async () => {
    const { account, token } = await loggedIn();
    upstox.emu.revoke(token);
    const before = upstox.lastRequestId();
    const result = await runCli(['logout', '--json'], { env: account.env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      account: 'upstox:emulator-client:EMU001',
      local_removed: true,
      removed_kinds: ['daily'],
      remaining_kinds: ['extended'],
      broker: 'already-invalid',
      error: null,
    });
    expect(logoutRequests(before)).toHaveLength(1);
    expect(dailyTokensOnDisk(account.home)).toEqual([]);
  });
});
