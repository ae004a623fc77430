import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, runCli, STACK_FRAME } from './helpers/cli.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
/** Logged in once through the loopback callback; shared by the read-only checks below. */
let loggedIn: TestAccount;

beforeAll(async () => {
  upstox = await TestUpstox.start();
  loggedIn = await upstox.account();
  const { result } = await upstox.login(loggedIn);
  expect(result.code, result.stderr).toBe(0);
});
afterAll(() => upstox?.close());

const IST_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+05:30$/;
const DAY_MS = 86_400_000;

interface StatusJson {
  tokens?: Record<string, unknown>;
  is_authenticated: boolean;
  token_info: null | Record<string, unknown>;
  message: string;
}

describe('hft status / hft token before login', () => {
  it('status: "Not logged in", exit 3; --json has the get_status shape', async () => {
    const account = await upstox.account();
    const human = await runCli(['status'], { env: account.env });
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('Not logged in');
    expect(human.stdout).toContain('Run: hft login');
    const json = await runCli(['status', '--json'], { env: account.env });
    expect(json.code).toBe(3);
    const body = JSON.parse(json.stdout) as StatusJson;
    expect(body).toEqual({
      is_authenticated: false,
      token_info: null,
      message: expect.any(String),
      tokens: {},
    });
    expect(body.message).toMatch(/not authenticated/i);
  });

  it('token: nothing on stdout, exit 3, the reason on stderr', async () => {
    const account = await upstox.account();
    const result = await runCli(['token'], { env: account.env });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No token is stored; run: hft login');
  });
});

describe('hft status / hft token after login', () => {
  it('token: stdout is exactly the token and a newline', async () => {
    const result = await runCli(['token'], { env: loggedIn.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+\n$/);
    expect(result.stderr).toBe('');
    const profile = await fetch(`${upstox.emu.url}/v2/user/profile`, {
      headers: { authorization: `Bearer ${result.stdout.trim()}` },
    });
    expect(profile.status).toBe(200);
  });

  it('status (human): account, user, expiry in IST, time left; exit 0', async () => {
    const result = await runCli(['status'], { env: loggedIn.env });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Account\s+upstox:emulator-client:EMU001$/m);
    expect(out).toMatch(/^User\s+EMU001 Emulator Test User <emulator\.user@example\.com>$/m);
    expect(out).toMatch(/^Token\s+valid$/m);
    expect(out).toMatch(/^Expires\s+\d{1,2} \w{3} \d{4}, 03:30:00 IST \(/m);
    expect(out).toMatch(/^Issued\s+.+ IST \(/m);
    // In the last hour before 03:30 IST: minutes and seconds, and the bar may be all empty.
    expect(out).toMatch(/^Left\s+(\d+h \d{2}m|\d+m \d{2}s|\d+s)\s+\[#*-*\] \d+%$/m);
    expect(out).toMatch(/^Store\s+file:.+\/tokens$/m);
  });

  it('status --json: the original get_status shape, expiry at 03:30 IST', async () => {
    const before = Date.now();
    const result = await runCli(['status', '--json'], { env: loggedIn.env });
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as StatusJson;
    expect(Object.keys(body).sort()).toEqual(['is_authenticated', 'message', 'token_info', 'tokens']);
    // Every kind held, keyed by kind: the login brought a daily and an extended token.
    const tokens = body.tokens as Record<string, Record<string, unknown>>;
    expect(Object.keys(tokens)).toEqual(['daily', 'extended']);
    for (const kind of ['daily', 'extended']) {
      expect(Object.keys(tokens[kind]!).sort()).toEqual(
        ['expires_at', 'is_valid', 'issued_at', 'remaining_time_seconds', 'source'].sort(),
      );
      expect(tokens[kind]).toMatchObject({ is_valid: true, source: 'oauth' });
    }
    expect(tokens.daily!.expires_at).toMatch(/T03:30:00\.000\+05:30$/);
    expect(tokens.extended!.remaining_time_seconds as number).toBeGreaterThan(360 * 86_400);
    expect(body.is_authenticated).toBe(true);
    const info = body.token_info as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(
      [
        'email',
        'exchanges',
        'expires_at',
        'issued_at',
        'order_types',
        'products',
        'remaining_time_seconds',
        'user_id',
        'user_name',
      ].sort(),
    );
    const user = upstox.emu.defaultUser;
    expect(info).toMatchObject({
      user_id: user.userId,
      user_name: user.userName,
      email: user.email,
      exchanges: user.exchanges,
      products: user.products,
      order_types: user.orderTypes,
    });
    expect(info.issued_at).toMatch(IST_ISO);
    expect(info.expires_at).toMatch(IST_ISO);
    expect(info.expires_at).toMatch(/T03:30:00\.000\+05:30$/);
    const expiresAt = Date.parse(info.expires_at as string);
    expect(expiresAt).toBeGreaterThan(before);
    expect(expiresAt - before).toBeLessThanOrEqual(DAY_MS);
    const remaining = info.remaining_time_seconds as number;
    expect(Number.isInteger(remaining)).toBe(true);
    expect(Math.abs(remaining - (expiresAt - before) / 1000)).toBeLessThan(30);
    expect(body.message).toContain('Authenticated as EMU001');
  });

  it('status --probe confirms with Upstox; after the token is revoked it says rejected, exit 3', async () => {
    const account = await upstox.account();
    expect((await upstox.login(account)).result.code).toBe(0);
    const confirmed = await runCli(['status', '--probe'], { env: account.env });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/^Token\s+valid \(confirmed by Upstox\)$/m);

    const token = (await runCli(['token'], { env: account.env })).stdout.trim();
    expect(upstox.emu.revoke(token)).toBe(true);
    // Without --probe the local record still looks valid...
    expect((await runCli(['status'], { env: account.env })).code).toBe(0);
    // ...with it, Upstox's 401 is authoritative.
    const rejected = await runCli(['status', '--probe'], { env: account.env });
    expect(rejected.code).toBe(3);
    expect(rejected.stdout).toMatch(/^Token\s+REJECTED by Upstox$/m);
    expect(rejected.stdout).toContain('Run: hft login');
    const json = await runCli(['status', '--probe', '--json'], { env: account.env });
    expect(json.code).toBe(3);
    const body = JSON.parse(json.stdout) as StatusJson;
    expect(body.is_authenticated).toBe(false);
    expect(body.message).toMatch(/rejected/i);
    expect(body.token_info?.user_id).toBe('EMU001');
  });
});

describe('after expiry (a token issued by an emulator clock three days in the past)', () => {
  it('status says EXPIRED (exit 3), --json is_authenticated false, token exits 3', async () => {
    const account = await upstox.account();
    upstox.emu.clock.set(Date.now() - 3 * DAY_MS);
    try {
      const { result } = await upstox.login(account);
      expect(result.code, result.stderr).toBe(0);
    } finally {
      upstox.emu.clock.set(Date.now());
    }
    const human = await runCli(['status'], { env: account.env });
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/^Token\s+EXPIRED$/m);
    expect(human.stdout).toMatch(/^Left\s+0s$/m);
    const json = await runCli(['status', '--json'], { env: account.env });
    expect(json.code).toBe(3);
    const body = JSON.parse(json.stdout) as StatusJson;
    expect(body.is_authenticated).toBe(false);
    expect(body.message).toMatch(/expired/i);
    expect(Date.parse(body.token_info?.expires_at as string)).toBeLessThan(Date.now() - DAY_MS);
    expect(body.token_info?.remaining_time_seconds).toBe(0);
    const token = await runCli(['token'], { env: account.env });
    expect(token.code).toBe(3);
    expect(token.stdout).toBe('');
    expect(lines(token.stderr).join('\n')).toMatch(/expired at .+; run: hft login/);
  });
});

describe('the store fails closed', () => {
  it('a corrupt token file is an error (exit 1), not "logged out"', async () => {
    const account = await upstox.account();
    const dir = join(account.home, 'tokens');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'upstox_token.json'), '{"access_token": "eyJ', { mode: 0o600 });
    const result = await runCli(['token'], { env: account.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is corrupt');
    expect(result.stderr).toContain('HFT_STORAGE_CORRUPT');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('encryption at rest (HFT_MASTER_KEY)', () => {
  it('the token file holds no plain token; hft token needs the key', async () => {
    const key = randomBytes(32).toString('base64');
    const account = await upstox.account({ HFT_MASTER_KEY: key });
    const { result } = await upstox.login(account);
    expect(result.code, result.stderr).toBe(0);
    const token = await runCli(['token'], { env: account.env });
    expect(token.code, token.stderr).toBe(0);
    const files = readdirSync(join(account.home, 'tokens')).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const onDisk = readFileSync(join(account.home, 'tokens', files[0] as string), 'utf8');
    expect(onDisk).not.toContain(token.stdout.trim());
    const withoutKey = await runCli(['token'], { env: { ...account.env, HFT_MASTER_KEY: undefined } });
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stdout).toBe('');
    expect(withoutKey.stderr).toContain('HFT_MASTER_KEY');
    const wrongKey = await runCli(['token'], {
      env: { ...account.env, HFT_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('HFT_STORAGE_WRONG_KEY');
    const badKey = await runCli(['token'], { env: { ...account.env, HFT_MASTER_KEY: 'short' } });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('HFT_MASTER_KEY must be the base64 of 32 bytes');
  });
});

describe('the fast path (hft.cjs without the ES module program) and the full program agree', () => {
  // `--http-timeout` is an option only the full program parses: the same command then goes
  // through the ES module program and commander instead of fast-path.cjs.
  const both = async (args: string[], env: NodeJS.ProcessEnv, prepare = () => {}) => {
    prepare();
    const fast = await runCli(args, { env });
    prepare();
    const full = await runCli(['--http-timeout', '5', ...args], { env });
    return { fast, full };
  };
  // The name a corrupt file is moved to carries the time it was met.
  const stamp = (text: string) => text.replace(/\.corrupt-[\dT.:-]+Z/g, '.corrupt-<time>');
  const same = (fast: { code: number | null; stdout: string; stderr: string }, full: typeof fast) => {
    expect(fast.code).toBe(full.code);
    expect(fast.stdout).toBe(full.stdout);
    expect(stamp(fast.stderr)).toBe(stamp(full.stderr));
  };

  it('token and status --json: logged in, not logged in, corrupt store, unknown account', async () => {
    const fresh = await upstox.account();
    const corrupt = await upstox.account();
    // A corrupt file is moved aside when met: each run gets a fresh one.
    const corruptFile = () => {
      mkdirSync(join(corrupt.home, 'tokens'), { recursive: true, mode: 0o700 });
      writeFileSync(join(corrupt.home, 'tokens', 'upstox_token.json'), '{"access_token": "eyJ', {
        mode: 0o600,
      });
    };
    const cases: Array<[string[], TestAccount, number]> = [
      [['token'], loggedIn, 0],
      [['status', '--json'], loggedIn, 0],
      [['token'], fresh, 3],
      [['status', '--json'], fresh, 3],
      [['token'], corrupt, 1],
      // A name that matches no stored account is a usage error (a typo must not send one to log in).
      [['--account', 'nobody', 'token'], loggedIn, 2],
    ];
    for (const [args, account, code] of cases) {
      const { fast, full } = await both(args, account.env, account === corrupt ? corruptFile : undefined);
      expect(fast.code, `${args.join(' ')}: ${fast.stderr}`).toBe(code);
      if (args.includes('--json')) {
        // remaining_time_seconds may tick between the two runs.
        const strip = (text: string) => text.replace(/"remaining_time_seconds": \d+/g, '');
        expect(fast.code).toBe(full.code);
        expect(strip(fast.stdout)).toBe(strip(full.stdout));
        expect(fast.stderr).toBe(full.stderr);
      } else same(fast, full);
    }
  });
});
