import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { registerSecret } from './helpers/registry.js';
import { TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

const SECRET = 'config-test-secret-4f9a1c';

interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

describe('hft config', () => {
  it('shows each value with its source and masks the secret', async () => {
    registerSecret('client secret', SECRET);
    const account = await upstox.account({ UPSTOX_CLIENT_SECRET: SECRET });
    const human = await runCli(['config'], { env: account.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^credentials\.clientId\s+emulator-client\s+\(UPSTOX_CLIENT_ID\)$/m);
    expect(human.stdout).toMatch(/^credentials\.clientSecret\s+\*{4}\s+\(UPSTOX_CLIENT_SECRET\)$/m);
    expect(human.stdout).toMatch(
      /^credentials\.redirectUri\s+http:\/\/127\.0\.0\.1:\d+\/callback\s+\(UPSTOX_REDIRECT_URI\)$/m,
    );
    expect(human.stdout).toMatch(/^baseUrl\s+http:\/\/127\.0\.0\.1:\d+\s+\(UPSTOX_BASE_URL\)$/m);
    expect(human.stdout).toMatch(/^home\s+\S+\s+\(HFT_HOME\)$/m);
    expect(human.stdout).toMatch(/^storage\s+file:\S+\/tokens\s+\(default\)$/m);
    const json = await runCli(['config', '--json'], { env: account.env });
    const body = JSON.parse(json.stdout) as Record<string, { value: string; source: string }>;
    expect(body['credentials.clientSecret']).toEqual({ value: '****', source: 'UPSTOX_CLIENT_SECRET' });
    expect(body.baseUrl).toEqual({ value: upstox.emu.url, source: 'UPSTOX_BASE_URL' });
    for (const output of [human.stdout, human.stderr, json.stdout, json.stderr])
      expect(output).not.toContain(SECRET);
  });

  it('reads the secret from $HFT_HOME/credentials.json and warns when that file is not 0600', async () => {
    const account = await upstox.account({ UPSTOX_CLIENT_SECRET: undefined });
    const file = join(account.home, 'credentials.json');
    writeFileSync(file, JSON.stringify({ client_secret: SECRET }), { mode: 0o644 });
    const loose = await runCli(['config'], { env: account.env });
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stdout).toContain(`****`);
    expect(loose.stdout).toMatch(new RegExp(`^credentials\\.clientSecret\\s+\\*{4}\\s+\\(${file}\\)$`, 'm'));
    expect(loose.stderr).toContain(`chmod 600 ${file}`);
    expect(loose.stdout + loose.stderr).not.toContain(SECRET);
  });
});

describe('hft doctor', () => {
  it('passes against the emulator with a free redirect port (human and --json)', async () => {
    const account = await upstox.account();
    const human = await runCli(['doctor'], { env: account.env });
    expect(human.code, human.stdout + human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^PASS {2}credentials: client id emulator-client, secret set/m);
    expect(human.stdout).toMatch(new RegExp(`^PASS {2}redirect URI: .*port ${account.port} is free`, 'm'));
    expect(human.stdout).toMatch(/^PASS {2}clock: host clock is \d+ s (ahead of|behind)/m);
    expect(human.stdout).toMatch(/^PASS {2}log directory:/m);
    expect(human.stdout).toMatch(/^WARN {2}token: no token stored$/m);
    expect(human.stdout).toContain('All checks passed.');
    expect(human.stdout).not.toContain(upstox.clientSecret);

    const json = await runCli(['doctor', '--json'], { env: account.env });
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { ok: boolean; checks: Check[] };
    expect(body.ok).toBe(true);
    const names = body.checks.map((c) => c.name);
    for (const name of [
      'config',
      'credentials',
      'redirect URI',
      'clock',
      'store',
      'log directory',
      'time zone',
    ])
      expect(names).toContain(name);
    expect(body.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('fails with a fix when the redirect port is taken', async () => {
    const account = await upstox.account();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(account.port, '127.0.0.1', resolve));
    try {
      const human = await runCli(['doctor'], { env: account.env });
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(
        new RegExp(`^FAIL {2}redirect URI: port ${account.port} on 127\\.0\\.0\\.1 is in use`, 'm'),
      );
      expect(human.stdout).toMatch(/^ {6}fix: Stop the program using it, or register another port/m);
      expect(human.stdout).toContain('1 check(s) failed.');
      const json = await runCli(['doctor', '--json'], { env: account.env });
      expect(json.code).toBe(1);
      const body = JSON.parse(json.stdout) as { ok: boolean; checks: Check[] };
      expect(body.ok).toBe(false);
      const redirect = body.checks.find((c) => c.name === 'redirect URI');
      expect(redirect?.status).toBe('fail');
      expect(redirect?.fix).toMatch(/register another port/);
      // And login says the same thing instead of hanging.
      const login = await runCli(['login', '--no-browser'], { env: account.env });
      expect(login.code).toBe(1);
      expect(login.stderr).toContain(`Port ${account.port} on 127.0.0.1 is in use`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
