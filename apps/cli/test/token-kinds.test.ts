import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { registerSecret } from './helpers/registry.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

const LTP = ['GET', '/v2/market-quote/ltp', '-f', 'instrument_key=NSE_EQ|INE002A01018'];
const HOLDINGS = ['/v2/portfolio/long-term-holdings'];

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(async () => {
  upstox?.emu.clock.set(Date.now());
  await upstox?.close();
});

async function loggedIn(): Promise<TestAccount> {
  const account = await upstox.account();
  const { result } = await upstox.login(account);
  expect(result.code, result.stderr).toBe(0);
  return account;
}

async function analyticsToken(): Promise<string> {
  const { token } = await upstox.emu.generateToken({ kind: 'analytics' });
  registerSecret('access token', token);
  return token;
}

function statusTokens(stdout: string): Record<string, { is_valid: boolean; source: string }> {
  return (JSON.parse(stdout) as { tokens: Record<string, { is_valid: boolean; source: string }> }).tokens;
}

describe('hft token --kind', () => {
  it('prints the token of the kind asked for, and exits 3 naming the kinds held when there is none', async () => {
    const account = await loggedIn();
    const daily = await runCli(['token'], { env: account.env });
    const extended = await runCli(['token', '--kind', 'extended'], { env: account.env });
    expect(extended.code, extended.stderr).toBe(0);
    expect(extended.stdout.trim()).not.toBe(daily.stdout.trim());
    registerSecret('extended token', extended.stdout.trim());
    const none = await runCli(['token', '--kind', 'analytics'], { env: account.env });
    expect(none.code).toBe(3);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No analytics token is stored');
    expect(none.stderr).toContain('(it holds: daily, extended)');
    const bad = await runCli(['token', '--kind', 'weekly'], { env: account.env });
    expect(bad.code).toBe(2);
  });
});

describe('hft token import', () => {
  it('stores an analytics token from stdin after a check on a GET, learning the account; status shows it', async () => {
    const account = await upstox.account();
    const token = await analyticsToken();
    const before = upstox.lastRequestId();
    const result = await runCli(['token', 'import', '--kind', 'analytics', '--json'], {
      env: account.env,
      input: `${token}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      account: `upstox:${upstox.clientId}:${upstox.emu.defaultUser.userId}`,
      user_id: upstox.emu.defaultUser.userId,
      kind: 'analytics',
      source: 'console',
      verified: true,
    });
    const checks = upstox.emu.requests.filter((r) => r.id > before);
    expect(checks.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/market-quote/ltp']);
    expect((await runCli(['token', '--kind', 'analytics'], { env: account.env })).stdout.trim()).toBe(token);
    // No daily token: `hft token` exits 3, status lists the analytics token.
    expect((await runCli(['token'], { env: account.env })).code).toBe(3);
    const status = await runCli(['status', '--json'], { env: account.env });
    expect(status.code).toBe(3);
    expect(statusTokens(status.stdout)).toEqual({
      analytics: expect.objectContaining({ is_valid: true, source: 'console' }),
    });
    const human = await runCli(['status'], { env: account.env });
    expect(human.stdout).toMatch(/^Token\s+none \(no daily token\)$/m);
    expect(human.stdout).toMatch(/^Analytics\s+until .+ left, console\)$/m);
  });

  it.each([
    ['empty stdin', '', 'standard input was empty'],
    ['not a JWT', 'definitely-not-a-jwt\n', 'not a JWT'],
    ['two tokens', 'a.b.c d.e.f\n', 'white space'],
  ])('refuses %s: exit 1, nothing stored', async (_name, input, message) => {
    const account = await loggedIn();
    const result = await runCli(['token', 'import', '--kind', 'analytics'], { env: account.env, input });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(
      Object.keys(statusTokens((await runCli(['status', '--json'], { env: account.env })).stdout)),
    ).toEqual(['daily', 'extended']);
  });

  it('refuses a revoked token and one of another kind (exit 1), and never takes the token from argv (exit 2)', async () => {
    const account = await loggedIn();
    const revoked = await analyticsToken();
    await analyticsToken(); // one analytics token per account: this one revokes the first
    const dead = await runCli(['token', 'import', '--kind', 'analytics'], {
      env: account.env,
      input: revoked,
    });
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain('HFT_AUTH_INVALIDATED');
    const extended = (await runCli(['token', '--kind', 'extended'], { env: account.env })).stdout.trim();
    const wrong = await runCli(['token', 'import', '--kind', 'analytics'], {
      env: account.env,
      input: extended,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HFT_AUTH_WRONG_TOKEN_KIND');
    const argv = await runCli(['token', 'import', '--kind', 'analytics', revoked], { env: account.env });
    expect(argv.code).toBe(2);
    const noKind = await runCli(['token', 'import'], { env: account.env, input: revoked });
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain('--kind is required');
    for (const run of [dead, wrong, argv, noKind]) {
      expect(run.stderr).not.toContain(revoked);
      expect(run.stderr).not.toContain(extended);
    }
  });

  it('refuses a token of another user than --account names', async () => {
    const account = await loggedIn();
    const token = await analyticsToken();
    const result = await runCli(['--account', 'SOMEONE9', 'token', 'import', '--kind', 'analytics'], {
      env: account.env,
      input: token,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `belongs to user ${upstox.emu.defaultUser.userId}, not to the account chosen (SOMEONE9)`,
    );
  });
});

describe('hft api', () => {
  it('prints the JSON body on 2xx, Upstox error code on a refusal (exit 1), and refuses a host of its own (exit 2)', async () => {
    const account = await loggedIn();
    const profile = await runCli(['api', '/v2/user/profile'], { env: account.env });
    expect(profile.code, profile.stderr).toBe(0);
    expect(JSON.parse(profile.stdout)).toMatchObject({ status: 'success', data: { user_id: 'EMU001' } });
    const ltp = await runCli(['api', ...LTP], { env: account.env });
    expect(ltp.code, ltp.stderr).toBe(0);
    expect(JSON.parse(ltp.stdout).data['NSE_EQ:RELIANCE']).toMatchObject({ last_price: 1284.5 });
    // No static IP registered for this user: an order is refused (403 UDAPI1154), exit 1.
    const order = await runCli(['api', 'POST', '/v2/order/place', '--json', '{"quantity":1}'], {
      env: account.env,
    });
    expect(order.code).toBe(1);
    expect(order.stderr).toMatch(/UDAPI1154/);
    const forced = await runCli(['api', '/v2/user/profile', '--kind', 'extended'], { env: account.env });
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain('HFT_AUTH_WRONG_TOKEN_KIND');
    for (const args of [
      ['api', 'https://evil.example/v2/user/profile'],
      ['api', 'FETCH', '/v2/user/profile'],
      ['api', 'GET', '/v2/user/profile', '--json', '{}'],
      ['api', 'POST', '/v2/order/place', '--json', '{nope'],
      ['api', '/v2/user/profile', '-f', 'novalue'],
    ]) {
      const result = await runCli(args, { env: account.env });
      expect(result.code, args.join(' ')).toBe(2);
    }
  });
});

describe('across 03:30 IST with the emulator clock', () => {
  it('after 03:30 hft token exits 3 while hft api reads on the extended token, and market quotes on the analytics token', async () => {
    const account = await loggedIn();
    const env = { ...account.env, HFT_CLOCK_SOURCE: upstox.emu.url };
    const extended = (await runCli(['token', '--kind', 'extended'], { env })).stdout.trim();
    // The next 03:30 IST after now, plus a minute.
    const now = Date.now();
    const ist = new Date(now + 5.5 * 3_600_000);
    let next = Date.UTC(ist.getUTCFullYear(), ist.getUTCMonth(), ist.getUTCDate(), 3, 30) - 5.5 * 3_600_000;
    if (next <= now) next += 86_400_000;
    upstox.emu.clock.set(next + 60_000);
    try {
      const token = await runCli(['token'], { env });
      expect(token.code).toBe(3);
      expect(token.stderr).toContain('expired');
      const before = upstox.lastRequestId();
      const holdings = await runCli(['api', ...HOLDINGS], { env });
      expect(holdings.code, holdings.stderr).toBe(0);
      expect(JSON.parse(holdings.stdout)).toMatchObject({ status: 'success' });
      const sent = upstox.emu.requests.filter((r) => r.id > before && r.path === HOLDINGS[0]);
      expect(sent.map((r) => r.headers.authorization)).toEqual([`Bearer ${extended}`]);
      // Market quotes: the extended token may not (UDAPI100067) and no analytics token is held.
      const refused = await runCli(['api', ...LTP], { env });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('extended token may not call GET /v2/market-quote/ltp (UDAPI100067)');
      const analytics = await analyticsToken();
      expect((await runCli(['token', 'import', '--kind', 'analytics'], { env, input: analytics })).code).toBe(
        0,
      );
      const ltp = await runCli(['api', ...LTP], { env });
      expect(ltp.code, ltp.stderr).toBe(0);
      const status = statusTokens((await runCli(['status', '--json'], { env })).stdout);
      expect(status.daily?.is_valid).toBe(false);
      expect(status.extended?.is_valid).toBe(true);
      expect(status.analytics?.is_valid).toBe(true);
    } finally {
      upstox.emu.clock.set(Date.now());
    }
  });
});
