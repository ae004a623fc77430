import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIst, systemClock } from '@hft/time';
import { CommandContext } from '../context.js';
import { formatDuration } from '../format.js';
import { freePort } from '../free-port.js';
import { browserFlow } from './login.js';
import { run as status } from './status.js';
import { run as whoami } from './whoami.js';

interface DemoOptions {
  request?: boolean;
}

/**
 * `hft demo`: the whole daily flow with no Upstox account. Starts the emulator in this process,
 * uses a temporary HFT_HOME unless one is set, logs in through the real loopback callback (the
 * emulator's test user is typed in automatically when no one is at a terminal), then shows
 * status, whoami and the token's remaining life, and logs out.
 */
export async function run(ctx: CommandContext, options: DemoOptions): Promise<number> {
  const out = ctx.output;
  const { startUpstoxEmulator, completeLogin } = await import('@hft/upstox-emulator');
  const givenHome = ctx.env.HFT_HOME;
  const home = givenHome ?? (await mkdtemp(join(tmpdir(), 'hft-demo-')));
  const emulator = await startUpstoxEmulator({ port: 0 });
  let inner: CommandContext | undefined;
  try {
    const callbackPort = await freePort();
    const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;
    const app = emulator.upsertApp({
      clientId: emulator.defaultApp.clientId,
      redirectUris: [...emulator.defaultApp.redirectUris, redirectUri],
    });
    out.note(`1. Upstox emulator started at ${emulator.url} (test app ${app.clientId})`);
    out.note(`   HFT_HOME=${home}${givenHome ? '' : ' (temporary)'}`);
    inner = new CommandContext(
      ctx.options,
      {
        ...ctx.env,
        HFT_HOME: home,
        UPSTOX_BASE_URL: emulator.url,
        UPSTOX_CLIENT_ID: app.clientId,
        UPSTOX_CLIENT_SECRET: app.clientSecret,
        UPSTOX_REDIRECT_URI: redirectUri,
      },
      out,
    );
    const manager = await inner.manager();
    if (options.request) {
      const { runRequestDemo } = await import('../demo-request.js');
      await runRequestDemo(inner, manager, emulator);
    } else {
      const attended = out.interactive && process.stdin.isTTY === true;
      out.note('2. Logging in through the loopback callback');
      if (attended) {
        const user = emulator.defaultUser;
        out.note(
          `   Log in with the emulator's test user: mobile ${user.mobile}, OTP ${user.otp}, PIN ${user.pin}`,
        );
      } else {
        out.note("   No terminal attached: the emulator's test user is filled in automatically");
      }
      await browserFlow(inner, manager, {
        openBrowser: attended,
        deadline: systemClock.now() + 300_000,
        onUrl: attended
          ? undefined
          : (url) => {
              // Play the browser: real HTTP to the emulator's login page, then to our callback.
              void completeLogin(url)
                .then((location) => fetch(location))
                .catch((error: unknown) => out.note(`   automatic login failed: ${String(error)}`));
            },
      });
    }
    const info = manager.getTokenInfo();
    if (info) out.out(`Logged in as ${info.userId}${info.userName ? ` (${info.userName})` : ''}.`);
    out.note('3. Status');
    await status(inner, {});
    out.note('4. Who am I (GET /v2/user/profile with the token)');
    await whoami(inner, {});
    if (info?.expiresAt !== undefined) {
      out.out(`Token life left: ${formatDuration(info.remainingMs)} (expires ${formatIst(info.expiresAt)})`);
    }
    out.note('5. Logging out (revoke at the emulator, delete locally)');
    // Everything the demo logged in with goes, the year-long extended token too.
    const result = await manager.logout({ kinds: 'all' });
    out.out(
      `Logged out: broker ${result.broker}, local token ${result.localRemoved ? 'deleted' : 'not found'}.`,
    );
    out.note('Demo complete. Run `hft --help` to use hft against real Upstox.');
    return 0;
  } finally {
    await inner?.close();
    await emulator.close();
    if (!givenHome) await rm(home, { recursive: true, force: true });
  }
}
