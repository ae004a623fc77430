import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tokenExpiry } from '@hft/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './helpers/cli.js';
import { freePort } from './helpers/homes.js';
import { registerSecret } from './helpers/registry.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

/** Sends `bytes` as they are over a new TCP connection; resolves with everything answered. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

async function serve(account: TestAccount, args: string[] = []) {
  const port = await freePort();
  const cli = startCli(['webhook', 'serve', '--port', String(port), ...args], {
    env: account.env,
    killAfterMs: 60_000,
  });
  const [, url] = await cli.waitFor(/listening on (http:\/\/\S+)/, { ms: 30_000 });
  await cli.waitFor(/Health check/, { stream: 'stderr', ms: 30_000 });
  return { cli, port, url: url as string, path: new URL(url as string).pathname };
}

async function stop(cli: CliProcess) {
  cli.child.kill('SIGTERM');
  const result = await cli.done;
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe('hft webhook serve', () => {
  let upstox: TestUpstox;
  beforeAll(async () => {
    upstox = await TestUpstox.start();
  });
  afterAll(async () => {
    await upstox?.close();
  });

  const delivery = async () => {
    const token = await upstox.emu.issueToken();
    registerSecret('access token', token.access_token);
    const issued = Date.now();
    return JSON.stringify({
      client_id: upstox.clientId,
      user_id: token.user_id,
      access_token: token.access_token,
      token_type: 'Bearer',
      issued_at: String(issued),
      expires_at: String(tokenExpiry(issued)),
      message_type: 'access_token',
    });
  };

  it('survives GET //[, POST //[, a bad content-length, a huge header and a bad JSON body', async () => {
    const account = await upstox.account();
    const { cli, port, path } = await serve(account);
    const attacks: Array<[string, string, string]> = [
      ['GET //[', 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '400'],
      [
        'POST //[',
        'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
        '400',
      ],
      [
        'bad content-length',
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
        '400',
      ],
      ['huge header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(64 * 1024)}\r\n\r\n`, '431'],
      [
        'bad JSON',
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{"a": [}}`,
        '400',
      ],
    ];
    for (const [label, bytes, status] of attacks) {
      const answer = await rawRequest(port, bytes);
      expect(answer.split('\r\n')[0], label).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status, `healthz after ${label}`).toBe(200);
    }
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await delivery(),
    });
    expect(res.status).toBe(200);
    const result = await stop(cli);
    expect(result.stderr).toMatch(/delivery from 127\.0\.0\.1: 400 rejected \(malformed request target\)/);
    expect(result.stderr).toMatch(/delivery from 127\.0\.0\.1: 200 stored user /);
  }, 90_000);

  it('accepts deliveries only on a secret path it generates once, keeps 0600, reuses, and never logs', async () => {
    const account = await upstox.account();
    const first = await serve(account);
    expect(first.path).toMatch(/^\/upstox\/notify\/[A-Za-z0-9_-]{32}$/);
    const file = join(account.home, 'webhook-path');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.path);
    const elsewhere = await fetch(`http://127.0.0.1:${first.port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await delivery(),
    });
    expect(elsewhere.status).toBe(404);
    const firstRun = await stop(first.cli);
    expect(firstRun.stderr).toContain('A secret delivery path was generated');
    expect(firstRun.stdout.split(first.path)).toHaveLength(2);

    const second = await serve(account);
    expect(second.path).toBe(first.path);
    const secondRun = await stop(second.cli);
    expect(secondRun.stderr).not.toContain('was generated');

    const custom = await serve(account, ['--path', '/my/own/hook-path-0001']);
    expect(custom.path).toBe('/my/own/hook-path-0001');
    const customRun = await stop(custom.cli);

    for (const run of [firstRun, secondRun, customRun]) expect(run.stderr).not.toContain(first.path);
    const log = join(account.home, 'logs', 'hft.log');
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).not.toContain(first.path);
  }, 120_000);
});
