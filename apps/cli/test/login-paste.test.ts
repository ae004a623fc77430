import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { completeLogin } from '@hft/upstox-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME, startCli } from './helpers/cli.js';
import { registerSecret } from './helpers/registry.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

const LOGIN_URL = /^(http:\/\/\S+\/v2\/login\/authorization\/dialog\?\S+)$/m;

/** `hft login --paste`: waits for the URL it prints, logs in on it, pastes the redirect. */
async function pasteLogin(account: TestAccount, edit: (location: URL) => string = (l) => l.href) {
  const cli = startCli(['login', '--paste'], { env: account.env });
  const [, url] = await cli.waitFor(LOGIN_URL);
  expect(new URL(url as string).searchParams.get('redirect_uri')).toBe(account.redirectUri);
  const location = new URL(await completeLogin(url as string));
  registerSecret('auth code', location.searchParams.get('code'));
  const pasted = edit(location);
  cli.child.stdin.end(`${pasted}\n`);
  return { result: await cli.done, location, pasted };
}

describe('hft login --paste', () => {
  it('reads the redirect URL from stdin (state checked) and stores the token', async () => {
    const account = await upstox.account();
    const { result } = await pasteLogin(account);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('paste the full URL');
    expect(result.stdout).toContain('Logged in as EMU001');
    const token = await runCli(['token'], { env: account.env });
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('accepts a bare authorization code', async () => {
    const account = await upstox.account();
    const { code } = await upstox.code(account.redirectUri);
    const before = upstox.lastRequestId();
    const result = await runCli(['login', '--paste'], { env: account.env, input: `  ${code}  \n` });
    expect(result.code, result.stderr).toBe(0);
    const exchanges = upstox.tokenRequests(before);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.body).toMatchObject({ code });
    expect((await runCli(['status'], { env: account.env })).code).toBe(0);
  });

  it('refuses a redirect URL whose state is not the one it sent; nothing is exchanged', async () => {
    const account = await upstox.account();
    const before = upstox.lastRequestId();
    const { result } = await pasteLogin(account, (location) => {
      location.searchParams.set('state', 'not-the-state-hft-sent-0123');
      return location.href;
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/state does not match/i);
    expect(upstox.tokenRequests(before)).toEqual([]);
    expect(existsSync(join(account.home, 'tokens', 'upstox_token.json'))).toBe(false);
  });

  it('refuses input that is neither a URL nor a code (exit 2), and a closed stdin', async () => {
    const account = await upstox.account();
    const junk = await runCli(['login', '--paste'], { env: account.env, input: 'not a code at all\n' });
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('does not look like a redirect URL or an authorization code');
    const closed = await runCli(['login', '--paste'], { env: account.env, input: '' });
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('stdin closed before a redirect URL was pasted');
  });

  it('--timeout 1 with nothing pasted (stdin left open): exit 1 with a timeout message, no hang', async () => {
    const account = await upstox.account();
    const cli = startCli(['login', '--paste', '--timeout', '1'], { env: account.env });
    const result = await cli.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No redirect URL was pasted within 1 s');
    expect(result.ms).toBeLessThan(8000);
  });

  it('a spent code (the same redirect pasted twice) fails with UDAPI100057 and exit 1', async () => {
    const account = await upstox.account();
    const { code } = await upstox.code(account.redirectUri);
    const first = await runCli(['login', '--paste'], { env: account.env, input: `${code}\n` });
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['login', '--paste'], { env: account.env, input: `${code}\n` });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('UDAPI100057');
    expect(second.stderr).toContain('Invalid Auth code');
    expect(second.stderr).toContain('hint: An authorization code works once');
    expect(second.stderr).not.toMatch(STACK_FRAME);
    // The first login's token is still there and valid.
    expect((await runCli(['token'], { env: account.env })).code).toBe(0);
  });
});
