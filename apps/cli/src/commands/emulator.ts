import type { CommandContext } from '../context.js';

interface EmulatorOptions {
  port: number;
  host: string;
}

/** `hft emulator`: runs @hft/upstox-emulator in the foreground until Ctrl-C. */
export async function run(ctx: CommandContext, options: EmulatorOptions): Promise<number> {
  const { startUpstoxEmulator } = await import('@hft/upstox-emulator');
  const emulator = await startUpstoxEmulator({
    port: options.port,
    host: options.host,
    // One line per request, without bodies, query values or headers: nothing secret.
    onRequest: (entry) => ctx.output.note(`${new Date().toISOString()} ${entry.method} ${entry.path}`),
  });
  const app = emulator.defaultApp;
  const user = emulator.defaultUser;
  ctx.output.out(`Upstox emulator listening on ${emulator.url}`);
  ctx.output.out('');
  ctx.output.out('Point hft (or your own code) at it:');
  ctx.output.out(`  export UPSTOX_BASE_URL=${emulator.url}`);
  ctx.output.out(`  export UPSTOX_CLIENT_ID=${app.clientId}`);
  ctx.output.out(`  export UPSTOX_CLIENT_SECRET=${app.clientSecret}   # the emulator's public test secret`);
  ctx.output.out(`  export UPSTOX_REDIRECT_URI=${app.redirectUris[0]}`);
  ctx.output.out('  hft login');
  ctx.output.out('');
  ctx.output.out(
    `Test user: mobile ${user.mobile}, OTP ${user.otp}, PIN ${user.pin} (user id ${user.userId})`,
  );
  ctx.output.out(`Pending v3 requests can be approved at ${emulator.url}/_emulator/approvals`);
  ctx.output.note('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await emulator.close();
  ctx.output.note('Emulator stopped.');
  return 0;
}
