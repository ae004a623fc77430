import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createManualClock } from '@hft/time/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { freePort } from './helpers/homes.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { registerSecret } from './helpers/registry.js';
import { TestUpstox } from './helpers/upstox.js';

const WATCHER = fileURLToPath(new URL('./fixtures/rotation-watcher.mjs', import.meta.url));
const hash = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);

/** Starts the rotation watcher (a plain Node process holding a TokenManager). */
function startWatcher(storage: string, account: string, env: Record<string, string>) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [WATCHER, storage, account], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'pipe',
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const waitFor = (re: RegExp, ms = 15_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watcher: no ${re} in ${ms} ms: ${out}`)), ms);
      const check = () => {
        const m = out.match(re);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      child.stdout.on('data', check);
      check();
    });
  return { child, waitFor };
}

describe('v3 request flow across processes: login --request, webhook serve, a watching process', () => {
  let upstox: TestUpstox;
  let redis: TestRedis;
  beforeAll(async () => {
    upstox = await TestUpstox.start();
    redis = await startRedis();
  });
  afterAll(async () => {
    await upstox?.close();
    await redis?.stop();
  });

  for (const backend of ['file', 'redis'] as const) {
    it(`delivers the approved token through the ${backend} store to every process`, async () => {
      const account = await upstox.account(backend === 'redis' ? { HFT_STORAGE: redis.url } : {});
      const storage = backend === 'redis' ? redis.url : `file:${join(account.home, 'tokens')}`;
      const env = account.env as Record<string, string>;
      const key = `upstox:${upstox.clientId}:${upstox.emu.defaultUser.userId}`;

      const port = await freePort();
      const path = `/upstox/notify/${Math.random().toString(36).slice(2)}`;
      const receiver = startCli(['webhook', 'serve', '--port', String(port), '--path', path], {
        env,
        killAfterMs: 60_000,
      });
      await receiver.waitFor(/listening on (http:\/\/\S+)/);
      upstox.emu.upsertApp({ clientId: upstox.clientId, notifierUrl: `http://127.0.0.1:${port}${path}` });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);

      const watcher = startWatcher(storage, key, env);
      await watcher.waitFor(/READY/);

      const login = startCli(['login', '--request'], { env, killAfterMs: 60_000 });
      await login.waitFor(/Access token request sent/, { stream: 'stderr' });
      expect(upstox.emu.pendingRequests()).toHaveLength(1);
      const delivery = await upstox.emu.approve();
      expect(delivery.statusCode).toBe(200);
      registerSecret('access token', delivery.payload.access_token);

      const result = await login.done;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Logged in as ${upstox.emu.defaultUser.userId}`);
      const [, rotated] = await watcher.waitFor(/ROTATED (\w+)/);
      expect(rotated).toBe(hash(delivery.payload.access_token));
      const token = await runCli(['token'], { env });
      expect(token.stdout.trim()).toBe(delivery.payload.access_token);

      receiver.child.kill('SIGTERM');
      const served = await receiver.done;
      expect(served.code).toBe(0);
      expect(served.stderr).toMatch(/delivery from 127\.0\.0\.1: 200 stored user EMU001/);
      watcher.child.kill('SIGKILL');
    });
  }

  it('login --request gives up with exit 1 when the request lapses', async () => {
    const clock = createManualClock(Date.parse('2026-11-27T03:29:58+05:30'));
    const lapsing = await TestUpstox.start({ clock });
    try {
      const account = await lapsing.account();
      lapsing.emu.upsertApp({ clientId: lapsing.clientId, notifierUrl: 'http://127.0.0.1:9/hook' });
      // The emulator's clock makes the request lapse at 03:30 IST, two seconds after it is sent;
      // the CLI waits by the real clock until that instant, which lies in the past: it gives up at once.
      const result = await runCli(['login', '--request'], { env: account.env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/lapsed at .* without an approved token/);
    } finally {
      await lapsing.close();
    }
  });
});

describe('hft watch', () => {
  it('fires expiring (60, 10 min) and expired once each across 02:30, 03:20 and 03:30 IST, to a webhook and a command', async () => {
    const clock = createManualClock(Date.parse('2026-11-26T10:00:00+05:30'));
    const upstox = await TestUpstox.start({ clock });
    const received: Array<Record<string, unknown>> = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    try {
      const account = await upstox.account({ HFT_CLOCK_SOURCE: upstox.emu.url });
      // A token issued at 10:00 IST by the emulator's clock: it expires at 03:30 IST tomorrow.
      const { result } = await upstox.login(account);
      expect(result.code, result.stderr).toBe(0);
      const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/events`;
      const eventsFile = join(account.home, 'events.log');
      const watch = startCli(
        [
          'watch',
          '--webhook',
          sinkUrl,
          '--exec',
          `echo "$HFT_EVENT $HFT_USER_ID $HFT_TIME_LEFT_SECONDS" >> ${eventsFile}`,
          '--probe-every',
          '0',
        ],
        { env: account.env, killAfterMs: 60_000 },
      );
      await watch.waitFor(/Watching upstox:/, { stream: 'stderr' });
      const setClock = (iso: string) =>
        fetch(`${upstox.emu.url}/_emulator/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ set: Date.parse(iso) }),
        });
      await setClock('2026-11-27T02:30:00+05:30');
      await watch.waitFor(/expiring .*60 min before expiry/, { stream: 'stderr' });
      await setClock('2026-11-27T03:20:00+05:30');
      await watch.waitFor(/expiring .*10 min before expiry/, { stream: 'stderr' });
      await setClock('2026-11-27T03:30:00+05:30');
      await watch.waitFor(/ expired /, { stream: 'stderr' });
      await expect.poll(() => received.length, { timeout: 5000 }).toBe(3);
      // Give a few more ticks the chance to fire anything twice.
      await new Promise((r) => setTimeout(r, 500));
      watch.child.kill('SIGTERM');
      const done = await watch.done;
      expect(done.code).toBe(0);
      expect(received.map((e) => `${e.event}:${e.detail ?? ''}`)).toEqual([
        'expiring:60 min before expiry',
        'expiring:10 min before expiry',
        'expired:',
      ]);
      expect(received[0]).toMatchObject({
        account: `upstox:${upstox.clientId}:EMU001`,
        user_id: 'EMU001',
        expires_at: '2026-11-27T03:30:00.000+05:30',
      });
      // The followed clock runs on between the jump and the event: allow a few seconds.
      expect(received[0]?.time_left_seconds).toBeGreaterThan(3590);
      expect(received[0]?.time_left_seconds).toBeLessThanOrEqual(3600);
      const { readFileSync } = await import('node:fs');
      const lines = readFileSync(eventsFile, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^expiring EMU001 (359\d|3600)$/);
      expect(lines[1]).toMatch(/^expiring EMU001 (59\d|600)$/);
      expect(lines[2]).toBe('expired EMU001 0');
      const token = readFileSync(join(account.home, 'tokens', 'upstox_token.json'), 'utf8');
      const accessToken = (JSON.parse(token) as { access_token: string }).access_token;
      for (const event of received) expect(JSON.stringify(event)).not.toContain(accessToken);
      expect(readFileSync(eventsFile, 'utf8')).not.toContain(accessToken);
    } finally {
      await new Promise<void>((r) => sink.close(() => r()));
      await upstox.close();
    }
  });

  it('reports a renewed token and an invalidated one', { timeout: 60_000 }, async () => {
    const upstox = await TestUpstox.start();
    try {
      const account = await upstox.account();
      expect((await upstox.login(account)).result.code).toBe(0);
      const watch = startCli(['watch', '--probe-every', '0'], { env: account.env, killAfterMs: 60_000 });
      await watch.waitFor(/Watching upstox:/, { stream: 'stderr' });
      expect((await upstox.login(account)).result.code).toBe(0);
      await watch.waitFor(/ token upstox:\S+ \(store\)/, { stream: 'stderr', ms: 15_000 });
      expect((await runCli(['logout', '--local'], { env: account.env })).code).toBe(0);
      await watch.waitFor(/ invalidated upstox:\S+ \(deleted\)/, { stream: 'stderr', ms: 15_000 });
      watch.child.kill('SIGTERM');
      expect((await watch.done).code).toBe(0);
    } finally {
      await upstox.close();
    }
  });

  it('--auto-request sends the v3 request at the IST time when no valid token exists', {
    timeout: 60_000,
  }, async () => {
    const clock = createManualClock(Date.parse('2026-11-27T08:00:00+05:30'));
    const upstox = await TestUpstox.start({ clock });
    try {
      const account = await upstox.account({ HFT_CLOCK_SOURCE: upstox.emu.url });
      upstox.emu.upsertApp({ clientId: upstox.clientId, notifierUrl: 'http://127.0.0.1:9/hook' });
      const watch = startCli(['watch', '--auto-request', '08:30', '--probe-every', '0'], {
        env: account.env,
        killAfterMs: 60_000,
      });
      await watch.waitFor(/Watching: no token stored yet/, { stream: 'stderr' });
      expect(upstox.emu.pendingRequests()).toHaveLength(0);
      await fetch(`${upstox.emu.url}/_emulator/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ set: Date.parse('2026-11-27T08:30:01+05:30') }),
      });
      await watch.waitFor(/ request-sent /, { stream: 'stderr', ms: 15_000 });
      expect(upstox.emu.pendingRequests()).toHaveLength(1);
      watch.child.kill('SIGTERM');
      expect((await watch.done).code).toBe(0);
    } finally {
      await upstox.close();
    }
  });

  it('keeps running through a store outage and reports it', { timeout: 60_000 }, async () => {
    const upstox = await TestUpstox.start();
    const redis = await startRedis();
    try {
      const account = await upstox.account({ HFT_STORAGE: redis.url });
      const { result } = await upstox.login(account);
      expect(result.code, result.stderr).toBe(0);
      const watch = startCli(['watch', '--probe-every', '0'], { env: account.env, killAfterMs: 60_000 });
      await watch.waitFor(/Watching upstox:/, { stream: 'stderr' });
      await redis.stop();
      await watch.waitFor(/store-error/, { stream: 'stderr', ms: 30_000 });
      expect(watch.child.exitCode).toBeNull();
      watch.child.kill('SIGTERM');
      expect((await watch.done).code).toBe(0);
    } finally {
      await redis.stop();
      await upstox.close();
    }
  });
});
