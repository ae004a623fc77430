import { startRedis as startRedisServer } from '@hft/test-kit';
import { createManualClock } from '@hft/time/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

const bob = { mobile: '8888888888', otp: '222222', pin: '222222' };
const carol = { mobile: '7777777777', otp: '333333', pin: '333333' };

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

/** An emulator on a manual clock (10:00 IST) with users EMU001, BOB2 and CAROL3; alice and bob logged in. */
async function twoAccounts(env: Record<string, string> = {}) {
  const clock = createManualClock(Date.parse('2026-11-26T10:00:00+05:30'));
  const upstox = await TestUpstox.start({ clock });
  const user = upstox.emu.defaultUser;
  upstox.emu.upsertUser({ ...user, userId: 'BOB2', userName: 'Bob Two', email: 'bob@example.com', ...bob });
  upstox.emu.upsertUser({
    ...user,
    userId: 'CAROL3',
    userName: 'Carol',
    email: 'carol@example.com',
    ...carol,
  });
  const account: TestAccount = await upstox.account({ HFT_CLOCK_SOURCE: upstox.emu.url, ...env });
  for (const [name, login] of [
    ['alice', undefined],
    ['bob', bob],
  ] as const) {
    const { result } = await upstox.login(account, {
      args: ['--account', name],
      ...(login ? { user: login } : {}),
    });
    expect(result.code, result.stderr).toBe(0);
  }
  return { upstox, account };
}

describe('hft watch with several accounts', () => {
  it('without an account chosen, is a usage error naming --account and --all (not a loop)', async () => {
    const { upstox, account } = await twoAccounts();
    try {
      const result = await runCli(['watch', '--probe-every', '0'], { env: account.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('2 accounts are stored (bob, alice)');
      expect(result.stderr).toContain('--account NAME');
      expect(result.stderr).toContain('--all');
      // --all with an account chosen is refused too.
      const both = await runCli(['--account', 'bob', 'watch', '--all'], { env: account.env });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('--all watches every account');
    } finally {
      await upstox.close();
    }
  });

  for (const backend of ['file', 'redis'] as const) {
    it(`--all follows every account of the ${backend} store in one process, events naming the account`, {
      timeout: 90_000,
    }, async () => {
      const { upstox, account } = await twoAccounts(backend === 'redis' ? { HFT_STORAGE: redis.url } : {});
      let watch: ReturnType<typeof startCli> | undefined;
      try {
        watch = startCli(['watch', '--all', '--lead', '60'], { env: account.env, killAfterMs: 80_000 });
        await watch.waitFor(/Watching all 2 accounts/, { stream: 'stderr' });
        // A renewed token, a new account, a deleted one: each reported with its account.
        // hft follows the emulator's clock (HFT_CLOCK_SOURCE): a renewal is issued later than the
        // token it replaces (newer wins), so time moves on first.
        upstox.emu.clock.advance(1_000);
        const renewed = (await upstox.login(account, { args: ['--account', 'bob'], user: bob })).result;
        expect(renewed.code, renewed.stderr).toBe(0);
        await watch.waitFor(/ token upstox:emulator-client:BOB2 \(store\)/, { stream: 'stderr', ms: 15_000 });
        expect((await upstox.login(account, { args: ['--account', 'carol'], user: carol })).result.code).toBe(
          0,
        );
        await watch.waitFor(/ token upstox:emulator-client:CAROL3 \(new account\)/, {
          stream: 'stderr',
          ms: 15_000,
        });
        const logout = await runCli(['--account', 'carol', 'logout', '--local', '--all'], {
          env: account.env,
        });
        expect(logout.code, logout.stderr).toBe(0);
        await watch.waitFor(/ invalidated upstox:emulator-client:CAROL3 \(deleted\)/, {
          stream: 'stderr',
          ms: 15_000,
        });
        // Expiry of every account, timed by the followed clock.
        await fetch(`${upstox.emu.url}/_emulator/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ set: Date.parse('2026-11-27T02:30:00+05:30') }),
        });
        await watch.waitFor(/expiring upstox:emulator-client:EMU001 \(60 min before expiry\)/, {
          stream: 'stderr',
        });
        await watch.waitFor(/expiring upstox:emulator-client:BOB2 \(60 min before expiry\)/, {
          stream: 'stderr',
        });
        await fetch(`${upstox.emu.url}/_emulator/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ set: Date.parse('2026-11-27T03:30:00+05:30') }),
        });
        await watch.waitFor(/ expired upstox:emulator-client:EMU001/, { stream: 'stderr' });
        await watch.waitFor(/ expired upstox:emulator-client:BOB2/, { stream: 'stderr' });
        watch.child.kill('SIGTERM');
        const done = await watch.done;
        expect(done.code).toBe(0);
        // Each event once, and nothing about CAROL3 after its deletion.
        const lines = done.stderr.split('\n');
        const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
        expect(count(/expiring upstox:emulator-client:EMU001/)).toBe(1);
        expect(count(/ expired upstox:emulator-client:BOB2/)).toBe(1);
        expect(count(/CAROL3 \((?!new account|deleted)/)).toBe(0);
      } finally {
        // A failed wait must not leave the watcher running after the test file.
        if (watch?.child.exitCode === null) watch.child.kill('SIGKILL');
        await upstox.close();
      }
    });
  }

  it('--all reports a store outage and its end (one small probe read, not a listing, every few seconds)', {
    timeout: 90_000,
  }, async () => {
    const server = await startRedisServer();
    const { upstox, account } = await twoAccounts({ HFT_STORAGE: server.url() });
    let watch: ReturnType<typeof startCli> | undefined;
    try {
      watch = startCli(['watch', '--all'], { env: account.env, killAfterMs: 80_000 });
      await watch.waitFor(/Watching all 2 accounts/, { stream: 'stderr' });
      await server.stop();
      await watch.waitFor(/ store-error /, { stream: 'stderr', ms: 20_000 });
      await server.restart();
      await watch.waitFor(/ store-recovered/, { stream: 'stderr', ms: 20_000 });
      // Still following: a renewed token after the outage is heard.
      upstox.emu.clock.advance(1_000);
      expect((await upstox.login(account, { args: ['--account', 'bob'], user: bob })).result.code).toBe(0);
      await watch.waitFor(/ token upstox:emulator-client:BOB2 \(store\)/, { stream: 'stderr', ms: 20_000 });
      watch.child.kill('SIGTERM');
      expect((await watch.done).code).toBe(0);
    } finally {
      if (watch?.child.exitCode === null) watch.child.kill('SIGKILL');
      await upstox.close();
      await server.shutdown();
    }
  });
});
