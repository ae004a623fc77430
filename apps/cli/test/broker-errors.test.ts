import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME } from './helpers/cli.js';
import { TestUpstox, TOKEN_PATH } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterEach(() => {
  upstox.emu.clearFaults();
  upstox.emu.upsertApp({ clientId: upstox.clientId, active: true });
});
afterAll(() => upstox?.close());

const TOKEN_ROUTE = `POST ${TOKEN_PATH}`;

/** `hft [...flags] login --paste` with a fresh code from the emulator. */
async function pasteFreshCode(env: Record<string, string | undefined>, flags: string[] = []) {
  const account = await upstox.account(env);
  const { code } = await upstox.code(account.redirectUri);
  return runCli([...flags, 'login', '--paste'], { env: account.env, input: `${code}\n` });
}

describe('broker and network failures during login', () => {
  it('wrong client secret: UDAPI100016 explained, exit 1, no stack; --verbose adds the stack', async () => {
    const env = { UPSTOX_CLIENT_SECRET: 'definitely-the-wrong-secret' };
    const plain = await pasteFreshCode(env);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('HTTP 401, UDAPI100016: Invalid Credentials');
    expect(plain.stderr).toContain('hint: Upstox did not accept the client id and secret');
    expect(plain.stderr).toContain('UPSTOX_CLIENT_SECRET');
    expect(plain.stderr).not.toMatch(STACK_FRAME);
    const verbose = await pasteFreshCode(env, ['--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain('UDAPI100016');
    expect(verbose.stderr).toMatch(STACK_FRAME);
  });

  it('inactive app: UDAPI100073 explained, exit 1', async () => {
    const account = await upstox.account();
    const { code } = await upstox.code(account.redirectUri);
    upstox.emu.upsertApp({ clientId: upstox.clientId, active: false });
    const result = await runCli(['login', '--paste'], { env: account.env, input: `${code}\n` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UDAPI100073');
    expect(result.stderr).toContain('hint: The Upstox app is inactive');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('an HTML block page instead of JSON: explained, exit 1', async () => {
    upstox.emu.setFault(TOKEN_ROUTE, { html: true });
    const result = await pasteFreshCode({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 403 with an HTML page instead of Upstox JSON');
    expect(result.stderr).toContain('HFT_NETWORK_NON_JSON');
    expect(result.stderr).not.toContain('Sorry, you have been blocked');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('Upstox 500 on the token route: exit 1 with the broker message', async () => {
    upstox.emu.setFault(TOKEN_ROUTE, { status: 500 });
    const result = await pasteFreshCode({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 500');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('a token route that never answers: --http-timeout 1 gives up, exit 1; --verbose shows the cause', async () => {
    upstox.emu.setFault(TOKEN_ROUTE, { hang: true });
    const result = await pasteFreshCode({}, ['--http-timeout', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not answer in time');
    expect(result.stderr).toContain('HFT_NETWORK_TIMEOUT');
    expect(result.stderr).toContain('hint: Upstox did not answer in time');
    expect(result.stderr).toContain('(run with --verbose for the cause)');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.ms).toBeLessThan(8000);

    const verbose = await pasteFreshCode({ HFT_HTTP_TIMEOUT: '0.5' }, ['--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toContain('HFT_NETWORK_TIMEOUT');
    expect(verbose.stderr).toMatch(/caused by: .*timeout of 500ms exceeded/);
    expect(verbose.ms).toBeLessThan(8000);
  });

  it('a bad HFT_HTTP_TIMEOUT is a config error; a bad --http-timeout a usage error', async () => {
    const account = await upstox.account({ HFT_HTTP_TIMEOUT: 'soon' });
    const env = await runCli(['login', '--paste'], { env: account.env, input: 'abcdefgh\n' });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('HFT_HTTP_TIMEOUT must be a number of seconds');
    const flag = await runCli(['--http-timeout', '0', 'whoami'], { env: account.env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--http-timeout');
  });
});
