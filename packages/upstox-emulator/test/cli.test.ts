import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(PKG, 'dist', 'cli.js');

beforeAll(() => {
  // The root test task builds every package before its tests (turbo: test dependsOn build). When
  // this file runs on its own and the bin was never built, build it once here. We call the
  // package's own tsup (what `pnpm build` runs) rather than `pnpm build`, because pnpm may first
  // try to re-install the workspace when it finds it out of date.
  if (!existsSync(CLI)) {
    execFileSync(join(PKG, 'node_modules', '.bin', 'tsup'), { cwd: PKG, stdio: 'ignore' });
  }
  for (const dep of ['errors', 'time']) {
    const built = join(PKG, 'node_modules', '@hft', dep, 'dist', 'index.js');
    if (!existsSync(built)) throw new Error(`@hft/${dep} is not built (${built}); run the root build first`);
  }
}, 120_000);

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function spawnCli(args: string[], env: Record<string, string> = {}): Running & { started: Promise<void> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: PKG,
    env: { ...process.env, HFT_EMULATOR_PORT: '', HFT_EMULATOR_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = { child, url: '', stdout: () => out, stderr: () => err, exit } as Running;
  const started = new Promise<void>((resolve, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+)\n/.exec(out);
      if (m) {
        running.url = m[1]!;
        resolve();
      }
    };
    child.stdout!.on('data', check);
    exit.then((code) => reject(new Error(`bin exited with ${code} before listening: ${err}`)));
  });
  // Tests that expect an early exit never await `started`; keep its rejection from going unhandled.
  started.catch(() => undefined);
  return Object.assign(running, { started });
}

describe('hft-upstox-emulator bin', () => {
  it('prints its URL and test credentials, logs requests without secrets, stops on SIGTERM', async () => {
    const bin = spawnCli(['--port', '0']);
    await bin.started;
    expect(bin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const out = bin.stdout();
    expect(out).toContain('client_id=emulator-client client_secret=emulator-secret');
    expect(out).toContain('redirect_uri=http://127.0.0.1:5055/callback');
    expect(out).toContain('mobile=9999999999 otp=123456 pin=123456');

    const redirect = 'http://127.0.0.1:5055/callback';
    const dialog = `${bin.url}/v2/login/authorization/dialog?${new URLSearchParams({
      client_id: 'emulator-client',
      redirect_uri: redirect,
      response_type: 'code',
      state: 'state-value-xyz',
    })}`;
    expect((await fetch(dialog)).status).toBe(200);
    const login = await fetch(`${bin.url}/_emulator/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        client_id: 'emulator-client',
        redirect_uri: redirect,
        response_type: 'code',
        state: 'state-value-xyz',
        mobile: '9999999999',
        otp: '123456',
        pin: '123456',
      }),
    });
    const code = new URL(login.headers.get('location')!).searchParams.get('code')!;
    const tokenRes = await fetch(`${bin.url}/v2/login/authorization/token?code=${code}`, {
      method: 'POST',
      body: new URLSearchParams({
        code,
        client_id: 'emulator-client',
        client_secret: 'emulator-secret',
        redirect_uri: redirect,
        grant_type: 'authorization_code',
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const profile = await fetch(`${bin.url}/v2/user/profile`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(profile.status).toBe(200);

    bin.child.kill('SIGTERM');
    expect(await bin.exit).toBe(0);
    const log = bin.stderr();
    expect(log).toMatch(/GET \/v2\/login\/authorization\/dialog\?client_id=emulator-client&.*state -> 200/);
    expect(log).toMatch(/POST \/_emulator\/login -> 302/);
    expect(log).toMatch(/POST \/v2\/login\/authorization\/token\?code -> 200/);
    expect(log).toMatch(/GET \/v2\/user\/profile -> 200/);
    for (const secret of [code, 'state-value-xyz', token, 'emulator-secret', 'Bearer']) {
      expect(log).not.toContain(secret);
    }
  });

  it('reads --config, honours HFT_EMULATOR_PORT, and moves its clock via POST /_emulator/clock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    try {
      const config = join(dir, 'emulator.json');
      await writeFile(
        config,
        JSON.stringify({
          users: [
            {
              userId: 'CFG001',
              userName: 'Config User',
              email: 'c@example.com',
              mobile: '9876543210',
              otp: '111111',
              pin: '222222',
            },
          ],
          apps: [
            {
              clientId: 'cfg-app',
              clientSecret: 'cfg-secret',
              redirectUris: ['http://127.0.0.1:9/cb'],
              ownerUserId: 'CFG001',
            },
          ],
        }),
      );
      const bin = spawnCli(['--config', config], { HFT_EMULATOR_PORT: '0' });
      await bin.started;
      expect(bin.stdout()).toContain('client_id=cfg-app client_secret=cfg-secret');
      expect(bin.stdout()).toContain('user_id=CFG001 mobile=9876543210 otp=111111 pin=222222');

      const before = Date.parse((await fetch(`${bin.url}/nope`)).headers.get('date')!);
      const moved = await fetch(`${bin.url}/_emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: 2 * 86_400_000 }),
      });
      expect(moved.status).toBe(200);
      const after = Date.parse((await fetch(`${bin.url}/nope`)).headers.get('date')!);
      expect(after - before).toBeGreaterThanOrEqual(2 * 86_400_000 - 1000);
      expect(after - before).toBeLessThan(2 * 86_400_000 + 60_000);

      bin.child.kill('SIGINT');
      expect(await bin.exit).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits with code 2 and names the field for a bad config or port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    try {
      const config = join(dir, 'bad.json');
      await writeFile(config, JSON.stringify({ users: [{ userId: 'X' }] }));
      const bad = spawnCli(['--config', config, '--port', '0']);
      expect(await bad.exit).toBe(2);
      expect(bad.stderr()).toContain('users[0].userName');
      const port = spawnCli(['--port', 'abc']);
      expect(await port.exit).toBe(2);
      expect(port.stderr()).toContain('--port');
      const unknown = spawnCli(['--nope']);
      expect(await unknown.exit).toBe(2);
      expect(unknown.stderr()).toContain('Usage: hft-upstox-emulator');
      const missing = spawnCli([], { HFT_EMULATOR_CONFIG: join(dir, 'absent.json') });
      expect(await missing.exit).toBe(2);
      expect(missing.stderr()).toContain('ENOENT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
