import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interfaceAddresses } from '../src/egress.js';
import { runCli } from './helpers/cli.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

const REGISTERED = '198.51.100.20';
// The warn outcome needs a machine whose interfaces hold no public address (behind NAT, as CI is).
const behindNat = interfaceAddresses().public.length === 0;

let upstox: TestUpstox;
let account: TestAccount;
let echo: Server;
let echoAnswer = 'hello';
let echoUrl: string;

beforeAll(async () => {
  upstox = await TestUpstox.start();
  account = await upstox.account();
  const { result } = await upstox.login(account);
  expect(result.code, result.stderr).toBe(0);
  upstox.emu.setStaticIps({ ips: [REGISTERED] });
  echo = createServer((_req, res) => res.end(echoAnswer));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/ip`;
});
afterAll(async () => {
  await new Promise((resolve) => echo?.close(resolve));
  await upstox?.close();
});

async function doctor(env: Record<string, string>) {
  const result = await runCli(['doctor', '--json'], { env: { ...account.env, ...env } });
  const body = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  return { result, check: body.checks.find((c) => c.name === 'static-ip') };
}

describe('hft ip', () => {
  it('shows the registered static IPs (human and --json)', async () => {
    const human = await runCli(['ip'], { env: account.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`^Primary IP {4}${REGISTERED.replace(/\./g, '\\.')} \\(set .* IST\\)$`, 'm'),
    );
    expect(human.stdout).toMatch(/^Secondary IP {2}-$/m);
    const json = await runCli(['ip', '--json'], { env: account.env });
    expect(JSON.parse(json.stdout)).toMatchObject({ primary_ip: REGISTERED, secondary_ip: null });
  });
});

describe('hft doctor static-ip', () => {
  it('pass: this machine (HFT_EGRESS_IP) is registered', async () => {
    const { result, check } = await doctor({ HFT_EGRESS_IP: REGISTERED });
    expect(check).toMatchObject({ status: 'pass' });
    expect(check!.detail).toContain(`${REGISTERED} (from HFT_EGRESS_IP) is registered`);
    expect(result.code, result.stdout).toBe(0);
    const human = await runCli(['doctor'], { env: { ...account.env, HFT_EGRESS_IP: REGISTERED } });
    expect(human.stdout).toMatch(/^PASS {2}static-ip: /m);
  });

  it('fail: another address, with the exact fix; exit 1', async () => {
    const { result, check } = await doctor({ HFT_EGRESS_IP: '198.51.100.21' });
    expect(check).toMatchObject({ status: 'fail' });
    expect(check!.detail).toContain('198.51.100.21 (from HFT_EGRESS_IP) is not registered');
    expect(check!.fix).toMatch(new RegExp(`^hft ip set ${REGISTERED} 198\\.51\\.100\\.21 `));
    expect(result.code).toBe(1);
    const human = await runCli(['doctor'], { env: { ...account.env, HFT_EGRESS_IP: '198.51.100.21' } });
    expect(human.stdout).toMatch(/^FAIL {2}static-ip: .*\n {6}fix: hft ip set /m);
  });

  it.skipIf(!behindNat)('warn: the address cannot be told, saying how to tell it', async () => {
    const { check } = await doctor({});
    expect(check).toMatchObject({ status: 'warn' });
    expect(check!.detail).toMatch(/only private addresses|no non-loopback address/);
    expect(check!.fix).toMatch(/HFT_EGRESS_IP/);
    echoAnswer = 'not an address';
    const broken = await doctor({ HFT_EGRESS_ECHO_URL: echoUrl });
    expect(broken.check).toMatchObject({ status: 'warn' });
    expect(broken.check!.detail).toContain(`the echo URL ${echoUrl} answered HTTP 200 without an IP address`);
  });

  it.skipIf(!behindNat)('the echo URL the user configured decides when set', async () => {
    echoAnswer = JSON.stringify({ ip: REGISTERED });
    expect((await doctor({ HFT_EGRESS_ECHO_URL: echoUrl })).check).toMatchObject({ status: 'pass' });
    echoAnswer = '203.0.113.99\n';
    expect((await doctor({ HFT_EGRESS_ECHO_URL: echoUrl })).check).toMatchObject({ status: 'fail' });
  });

  it('warn without a token: it cannot read the registered IPs', async () => {
    const fresh = await upstox.account();
    const result = await runCli(['doctor', '--json'], { env: { ...fresh.env, HFT_EGRESS_IP: REGISTERED } });
    const check = (JSON.parse(result.stdout) as { checks: Check[] }).checks.find(
      (c) => c.name === 'static-ip',
    );
    expect(check).toMatchObject({ status: 'warn', fix: 'Run hft login, then hft doctor again' });
  });
});

describe('hft ip set', () => {
  const puts = () => upstox.emu.requests.filter((r) => r.method === 'PUT' && r.path === '/v2/user/ip').length;

  it('refuses bad addresses with exit 2, naming the argument; sends nothing', async () => {
    const before = puts();
    const bad = await runCli(['ip', 'set', 'my-vps', '--yes'], { env: account.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('PRIMARY must be an IPv4 or IPv6 address, not "my-vps"');
    const second = await runCli(['ip', 'set', '127.0.0.1', '300.0.0.1', '--yes'], { env: account.env });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('SECONDARY must be an IPv4 or IPv6 address');
    expect(puts()).toBe(before);
  });

  it('asks first: says it invalidates the tokens and once a week; "no" changes nothing', async () => {
    const before = puts();
    const no = await runCli(['ip', 'set', '127.0.0.1'], { env: account.env, input: 'no\n' });
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/invalidates every access token/);
    expect(no.stderr).toMatch(/once a week/);
    expect(no.stderr).toContain('Not changed. (In scripts, pass --yes.)');
    expect(puts()).toBe(before);
  });

  it('"yes" changes them; the token is dead, the user is told to log in again; a second change in the week is refused', async () => {
    const yes = await runCli(['ip', 'set', '127.0.0.1', '198.51.100.30'], {
      env: account.env,
      input: 'yes\n',
    });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('primary 127.0.0.1, secondary 198.51.100.30');
    expect(yes.stdout).toContain('log in again with `hft login`');
    expect(upstox.emu.defaultUser.primaryIp).toBe('127.0.0.1');
    // Upstox invalidated the token: the next call says "log in" (exit 3).
    expect((await runCli(['whoami'], { env: account.env })).code).toBe(3);
    const { result } = await upstox.login(account);
    expect(result.code, result.stderr).toBe(0);
    const again = await runCli(['ip', 'set', '127.0.0.1', '--yes'], { env: account.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/once a week/);
  });
});
