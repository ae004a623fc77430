import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { completeLogin } from '@hft/upstox-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME, startCli } from './helpers/cli.js';
import { registerSecret } from './helpers/registry.js';
import { TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

const LOGIN_URL = /^(http:\/\/\S+\/v2\/login\/authorization\/dialog\?\S+)$/m;

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Listening TCP sockets on `port` from /proc (hex addresses), IPv4 and IPv6. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(`${table}:${local}`);
    }
  }
  return found;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Sends one raw HTTP request (header lines) to 127.0.0.1:`port`; resolves with the status line. */
function rawRequest(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

describe('hft login (loopback callback)', () => {
  it('prints the login URL, receives the callback, stores the token (0600) and exits 0', async () => {
    const account = await upstox.account();
    const { result, url, callback } = await upstox.login(account);
    expect(result.code, result.stderr).toBe(0);
    const dialog = new URL(url);
    expect(dialog.origin).toBe(upstox.emu.url);
    expect(dialog.searchParams.get('client_id')).toBe(upstox.clientId);
    expect(dialog.searchParams.get('redirect_uri')).toBe(account.redirectUri);
    expect(dialog.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);
    expect(callback.status).toBe(200);
    expect(callback.body).toContain('Logged in');
    expect(result.stdout).toContain('Logged in as EMU001 (Emulator Test User)');
    expect(result.stderr).toContain(`Waiting for the Upstox login callback on ${account.redirectUri}`);

    const tokens = join(account.home, 'tokens');
    const files = readdirSync(tokens).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    expect(modeOf(join(tokens, files[0] as string))).toBe(0o600);
    expect(modeOf(tokens)).toBe(0o700);
    const stored = JSON.parse(readFileSync(join(tokens, files[0] as string), 'utf8')) as {
      access_token: string;
      user_id: string;
    };
    expect(stored.user_id).toBe('EMU001');

    // login logs: the file exists, is private, and says what happened (without the token).
    const log = join(account.home, 'logs', 'hft.log');
    expect(modeOf(log)).toBe(0o600);
    expect(readFileSync(log, 'utf8')).toContain('login stored');

    const token = await runCli(['token'], { env: account.env });
    expect(token.code).toBe(0);
    expect(token.stdout).toBe(`${stored.access_token}\n`);
    // The token the emulator issued is the one Upstox-authorised calls accept.
    const profile = await fetch(`${upstox.emu.url}/v2/user/profile`, {
      headers: { authorization: `Bearer ${stored.access_token}` },
    });
    expect(profile.status).toBe(200);
  });

  it('callback server: 404 elsewhere, 405 for POST, loopback only; then the real callback wins', async () => {
    const account = await upstox.account();
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    const [, url] = await cli.waitFor(LOGIN_URL);
    const base = `http://127.0.0.1:${account.port}`;

    for (const path of ['/', '/favicon.ico', '/callback/extra', '/other?code=x&state=y']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      await res.text();
    }
    const post = await fetch(`${base}/callback?code=abc&state=def`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    await post.text();

    // Bound to 127.0.0.1 only: the kernel's listening table, and a connection attempt on
    // every non-loopback address this machine has.
    expect(listeners(account.port)).toEqual([
      `/proc/net/tcp:0100007F:${account.port.toString(16).toUpperCase().padStart(4, '0')}`,
    ]);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a?.address as string);
    for (const address of external) expect(await canConnect(address, account.port), address).toBe(false);
    expect(await canConnect('::1', account.port)).toBe(false);

    const location = await completeLogin(url as string);
    registerSecret('auth code', new URL(location).searchParams.get('code'));
    const callback = await fetch(location);
    expect(callback.status).toBe(200);
    await callback.text();
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    // The server is gone once the login is done.
    expect(await canConnect('127.0.0.1', account.port)).toBe(false);
  });

  it('an IPv6 loopback redirect URI (http://[::1]:port/callback) binds ::1 and works', async () => {
    const base = await upstox.account();
    const redirectUri = `http://[::1]:${base.port}/callback`;
    upstox.registerRedirect(redirectUri);
    const account = { ...base, redirectUri, env: { ...base.env, UPSTOX_REDIRECT_URI: redirectUri } };
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    const [, url] = await cli.waitFor(LOGIN_URL);
    expect(listeners(account.port)).toEqual([
      `/proc/net/tcp6:00000000000000000000000001000000:${account.port.toString(16).toUpperCase().padStart(4, '0')}`,
    ]);
    const location = await completeLogin(url as string);
    expect(location.startsWith(`${redirectUri}?`)).toBe(true);
    registerSecret('auth code', new URL(location).searchParams.get('code'));
    const callback = await fetch(location);
    expect(callback.status).toBe(200);
    await callback.text();
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
  });

  it('forged callbacks (wrong or no state, <img>-style, bad Host) get 4xx; the real callback still logs in', async () => {
    const account = await upstox.account();
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    const [, url] = await cli.waitFor(LOGIN_URL);
    const location = new URL(await completeLogin(url as string));
    registerSecret('auth code', location.searchParams.get('code'));
    const before = upstox.lastRequestId();

    // What any web page can make a browser send: <img src="http://127.0.0.1:PORT/callback?...">.
    const img = await rawRequest(account.port, [
      'GET /callback?code=x&state=y HTTP/1.1',
      `Host: 127.0.0.1:${account.port}`,
      'Referer: https://evil.example/',
      'Sec-Fetch-Dest: image',
    ]);
    expect(img).toMatch(/^HTTP\/1\.1 400 /);
    const forged = new URL(location);
    forged.searchParams.set('state', 'forged-state-value-0123456789');
    const wrong = await fetch(forged);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('still waiting');
    forged.searchParams.delete('state');
    const missing = await fetch(forged);
    expect(missing.status).toBe(400);
    await missing.text();
    // A malformed Host once crashed the CLI; a foreign one is how DNS rebinding gets in.
    for (const host of ['[', `evil.example:${account.port}`]) {
      const answer = await rawRequest(account.port, [
        `GET ${location.pathname}${location.search} HTTP/1.1`,
        `Host: ${host}`,
      ]);
      expect(answer, host).toMatch(/^HTTP\/1\.1 421 /);
    }
    expect(upstox.tokenRequests(before)).toEqual([]);

    const callback = await fetch(location);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('Logged in');
    const result = await cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Logged in as EMU001');
    expect(upstox.tokenRequests(before)).toHaveLength(1);
  });

  it('an error callback from Upstox (access_denied) gets a 400 page; nothing is exchanged; exit 1', async () => {
    const account = await upstox.account();
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    const [, url] = await cli.waitFor(LOGIN_URL);
    const state = new URL(url as string).searchParams.get('state') as string;
    const before = upstox.lastRequestId();
    const callback = await fetch(
      `${account.redirectUri}?error=access_denied&error_description=User+denied&state=${state}`,
    );
    expect(callback.status).toBe(400);
    expect(await callback.text()).toContain('Upstox redirected with an error: access_denied (User denied).');
    const result = await cli.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HFT_AUTH_CALLBACK_INVALID');
    expect(upstox.tokenRequests(before)).toEqual([]);
  });

  it('a failed code exchange (wrong secret) gets a 502 page and exit 1 with the broker message', async () => {
    const account = await upstox.account({ UPSTOX_CLIENT_SECRET: 'callback-wrong-secret' });
    const { result, callback } = await upstox.login(account);
    expect(callback.status).toBe(502);
    expect(callback.body).toContain('Login failed');
    expect(callback.body).not.toContain('callback-wrong-secret');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UDAPI100016');
    expect(result.stderr).toContain('hint: Upstox did not accept the client id and secret');
  });

  it('Ctrl-C while waiting: exit 1, nothing stored, the port released', async () => {
    const account = await upstox.account();
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    await cli.waitFor(LOGIN_URL);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code, `${result.signal} ${result.stderr}`).toBe(1);
    expect(result.stderr).toContain('Interrupted; nothing was stored');
    expect(existsSync(join(account.home, 'tokens', 'upstox_token.json'))).toBe(false);
    expect(await canConnect('127.0.0.1', account.port)).toBe(false);
  });

  it('refuses a non-loopback redirect URI with a clear message and exit 2', async () => {
    const account = await upstox.account({ UPSTOX_REDIRECT_URI: 'https://example.com/upstox/callback' });
    const result = await runCli(['login', '--no-browser'], { env: account.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('https://example.com/upstox/callback is not on this machine');
    expect(result.stderr).toContain('hft login --paste');
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('--timeout 1 with nobody logging in: exit 1 with a timeout message', async () => {
    const account = await upstox.account();
    const before = upstox.lastRequestId();
    const result = await runCli(['login', '--no-browser', '--timeout', '1'], { env: account.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No login callback arrived within 1 s');
    expect(result.stderr).toContain('HFT_AUTH_TIMEOUT');
    expect(result.ms).toBeLessThan(8000);
    expect(upstox.tokenRequests(before)).toEqual([]);
    // The port is released.
    expect(await canConnect('127.0.0.1', account.port)).toBe(false);
  });
});
