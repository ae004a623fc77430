import { isIP } from 'node:net';
import { createInterface } from 'node:readline';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../exit-codes.js';

/** Checks the IP arguments; a bad one is a usage error (exit 2) naming it. */
export function checkIpArguments(primary: string | undefined, secondary: string | undefined): void {
  if (primary === undefined) throw new UsageError('Give the new static IP: hft ip set PRIMARY [SECONDARY]');
  if (isIP(primary) === 0) throw new UsageError(`PRIMARY must be an IPv4 or IPv6 address, not "${primary}"`);
  if (secondary === undefined) return;
  if (isIP(secondary) === 0)
    throw new UsageError(`SECONDARY must be an IPv4 or IPv6 address, not "${secondary}"`);
  if (secondary === primary) throw new UsageError('SECONDARY must differ from PRIMARY');
}

/** One answer line from stdin; `undefined` when stdin ends first. */
function answer(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!done) resolve(undefined);
    });
  });
}

/**
 * `hft ip set PRIMARY [SECONDARY]`: registers the user's static IPs (`PUT /v2/user/ip`) after a
 * confirmation (`--yes` skips it), since Upstox then invalidates every access token of the user
 * and allows the next change only a week later.
 */
export async function run(ctx: CommandContext, options: { yes?: boolean }, args: string[]): Promise<number> {
  const [primary, secondary] = args;
  checkIpArguments(primary, secondary);
  const manager = await ctx.manager();
  await manager.load();
  const user = manager.getTokenInfo()?.userId ?? 'this account';
  const wanted = secondary ? `${primary} (primary) and ${secondary} (secondary)` : `${primary} (primary)`;
  if (!options.yes) {
    ctx.output.note(
      `This registers ${wanted} as the static IPs of ${user}. Upstox then invalidates every access token of ${user} (you log in again afterwards), and the IPs can be changed only once a week.`,
    );
    process.stderr.write('Type "yes" to go on: ');
    const reply = (await answer())?.trim().toLowerCase();
    if (reply !== 'yes' && reply !== 'y') {
      ctx.output.note('Not changed. (In scripts, pass --yes.)');
      return ExitCode.FAILURE;
    }
  }
  const change = await manager.setStaticIps({ primary: primary!, ...(secondary ? { secondary } : {}) });
  ctx.output.out(
    `Static IPs of ${user}: primary ${change.primary ?? '-'}, secondary ${change.secondary ?? '-'}.`,
  );
  ctx.output.out(
    change.accessTokensInvalidated
      ? 'Upstox invalidated the access tokens: log in again with `hft login`.'
      : 'Log in again with `hft login`: Upstox invalidates the access tokens on a change.',
  );
  return ExitCode.OK;
}
