import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

async function profileOf(token: string): Promise<{ user_id: string }> {
  const res = await fetch(`${upstox.emu.url}/v2/user/profile`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { user_id: string } }).data;
}

describe('hft whoami', () => {
  let account: TestAccount;
  beforeAll(async () => {
    account = await upstox.account();
    expect((await upstox.login(account)).result.code).toBe(0);
  });

  it('prints the Upstox profile for the token', async () => {
    const before = upstox.lastRequestId();
    const result = await runCli(['whoami'], { env: account.env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^User\s+EMU001$/m);
    expect(result.stdout).toMatch(/^Name\s+Emulator Test User$/m);
    expect(result.stdout).toMatch(/^Email\s+emulator\.user@example\.com$/m);
    expect(result.stdout).toMatch(/^Exchanges\s+NSE, NFO, BSE, CDS, BFO, BCD$/m);
    expect(result.stdout).toMatch(/^Active\s+yes$/m);
    // It really asked Upstox.
    expect(upstox.emu.requests.filter((r) => r.id > before && r.path === '/v2/user/profile')).toHaveLength(1);
  });

  it('--json', async () => {
    const result = await runCli(['whoami', '--json'], { env: account.env });
    expect(result.code, result.stderr).toBe(0);
    const user = upstox.emu.defaultUser;
    expect(JSON.parse(result.stdout)).toEqual({
      user_id: user.userId,
      user_name: user.userName,
      email: user.email,
      broker: 'UPSTOX',
      user_type: 'individual',
      exchanges: user.exchanges,
      products: user.products,
      order_types: user.orderTypes,
      poa: false,
      ddpi: false,
      is_active: true,
    });
  });

  it('exit 3 when not logged in', async () => {
    const fresh = await upstox.account();
    const result = await runCli(['whoami'], { env: fresh.env });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
  });
});

describe('several accounts (--account NAME)', () => {
  let shared: TestAccount;
  const bob = { mobile: '8888888888', otp: '222222', pin: '222222' };
  beforeAll(async () => {
    upstox.emu.upsertUser({
      ...upstox.emu.defaultUser,
      userId: 'BOB2',
      userName: 'Bob Two',
      email: 'bob@example.com',
      ...bob,
    });
    shared = await upstox.account();
    const alice = await upstox.login(shared, { args: ['--account', 'alice'] });
    expect(alice.result.code, alice.result.stderr).toBe(0);
    const second = await upstox.login(shared, { args: ['--account', 'bob'], user: bob });
    expect(second.result.code, second.result.stderr).toBe(0);
    expect(second.result.stdout).toContain('Logged in as BOB2 (Bob Two)');
  });

  it('hft accounts lists both, with names and keys', async () => {
    const human = await runCli(['accounts'], { env: shared.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /^\s+alice\s+upstox:emulator-client:EMU001\s+Emulator Test User\s+valid until /m,
    );
    expect(human.stdout).toMatch(/^\s+bob\s+upstox:emulator-client:BOB2\s+Bob Two\s+valid until /m);
    expect(human.stderr).toContain('Several accounts: choose one with --account NAME');
    const json = await runCli(['accounts', '--json'], { env: shared.env });
    const list = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(list.map((a) => [a.name, a.key, a.user_id, a.valid, a.default])).toEqual([
      ['bob', 'upstox:emulator-client:BOB2', 'BOB2', true, false],
      ['alice', 'upstox:emulator-client:EMU001', 'EMU001', true, false],
    ]);
    const marked = await runCli(['--account', 'bob', 'accounts'], { env: shared.env });
    expect(marked.stdout).toMatch(/^\* bob/m);
    expect(marked.stdout).toMatch(/^ {2}alice/m);
  });

  it('--account selects the token: by name, by key, or HFT_ACCOUNT', async () => {
    const bobToken = await runCli(['--account', 'bob', 'token'], { env: shared.env });
    expect(bobToken.code, bobToken.stderr).toBe(0);
    expect((await profileOf(bobToken.stdout.trim())).user_id).toBe('BOB2');
    const aliceToken = await runCli(['--account', 'upstox:emulator-client:EMU001', 'token'], {
      env: shared.env,
    });
    expect((await profileOf(aliceToken.stdout.trim())).user_id).toBe('EMU001');
    const byEnv = await runCli(['token'], { env: { ...shared.env, HFT_ACCOUNT: 'alice' } });
    expect(byEnv.stdout).toBe(aliceToken.stdout);
    expect(bobToken.stdout).not.toBe(aliceToken.stdout);
  });

  it('without --account, hft token refuses to guess', async () => {
    const result = await runCli(['token'], { env: shared.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('2 accounts are stored for client emulator-client (bob, alice)');
    expect(result.stderr).toContain('--account NAME');
    expect(result.stderr).toContain('HFT_AUTH_ACCOUNT_AMBIGUOUS');
  });

  it('an unknown account name is a usage error naming the known ones, not "log in again"', async () => {
    const result = await runCli(['--account', 'carol', 'token'], { env: shared.env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No stored account is named carol. Known: bob, alice.');
    expect(result.stderr).not.toContain('hft login');
    const status = await runCli(['--account', 'carol', 'status', '--json'], { env: shared.env });
    expect(status.code).toBe(2);
  });

  it('a user id names its account when it is unambiguous', async () => {
    const byUser = await runCli(['--account', 'BOB2', 'token'], { env: shared.env });
    const byName = await runCli(['--account', 'bob', 'token'], { env: shared.env });
    expect(byUser.code, byUser.stderr).toBe(0);
    expect(byUser.stdout).toBe(byName.stdout);
  });

  it('hft status with none chosen shows every account; --json is an array with each account', async () => {
    const json = await runCli(['status', '--json'], { env: shared.env });
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as Array<{
      account: { key: string; name: string };
      is_authenticated: boolean;
      token_info: { user_id: string };
    }>;
    expect(
      list.map((s) => [s.account.name, s.account.key, s.is_authenticated, s.token_info.user_id]),
    ).toEqual([
      ['bob', 'upstox:emulator-client:BOB2', true, 'BOB2'],
      ['alice', 'upstox:emulator-client:EMU001', true, 'EMU001'],
    ]);
    const human = await runCli(['status'], { env: shared.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^bob$/m);
    expect(human.stdout).toMatch(/^alice$/m);
    expect(human.stderr).toContain('2 accounts');
  });

  it('hft accounts use NAME sets the default of this HFT_HOME; commands then use it', async () => {
    const home = { ...shared.env };
    const use = await runCli(['accounts', 'use', 'alice'], { env: home });
    expect(use.code, use.stderr).toBe(0);
    expect(use.stdout).toContain('Default account: alice (upstox:emulator-client:EMU001)');
    const token = await runCli(['token'], { env: home });
    expect(token.code, token.stderr).toBe(0);
    expect((await profileOf(token.stdout.trim())).user_id).toBe('EMU001');
    const listed = await runCli(['accounts'], { env: home });
    expect(listed.stdout).toMatch(/^\* alice/m);
    // Still every account in status, the default marked.
    const status = await runCli(['status', '--json'], { env: home });
    const list = JSON.parse(status.stdout) as Array<{ account: { name: string; default: boolean } }>;
    expect(list.map((s) => [s.account.name, s.account.default])).toEqual([
      ['bob', false],
      ['alice', true],
    ]);
    const unknown = await runCli(['accounts', 'use', 'carol'], { env: home });
    expect(unknown.code).toBe(2);
    const clear = await runCli(['accounts', 'use', '--clear'], { env: home });
    expect(clear.code, clear.stderr).toBe(0);
    expect((await runCli(['token'], { env: home })).code).toBe(1);
  });
});
