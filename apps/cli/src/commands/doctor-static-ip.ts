// The doctor's `static-ip` check: the user's registered static IPs (GET /v2/user/ip) against
// this machine's egress address (egress.ts). Orders from any other address are refused by
// Upstox (UDAPI1154), so a mismatch fails with the exact fix.
import type { CommandContext } from '../context.js';
import { findEgress } from '../egress.js';

/** One doctor check (the shape doctor.ts prints). */
export interface StaticIpCheck {
  name: 'static-ip';
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

const NAME = 'static-ip' as const;
const HOW_TO_TELL =
  "Set HFT_EGRESS_IP to this machine's public IP (as your VPS or router shows it), or HFT_EGRESS_ECHO_URL to an echo service you trust, and run hft doctor again";

function describeError(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\n/g, '; ') : String(error);
}

/** Compares the registered static IPs with this machine's address. Never throws. */
export async function staticIpCheck(ctx: CommandContext): Promise<StaticIpCheck> {
  let registered: string[];
  try {
    const manager = await ctx.manager();
    await manager.load();
    if (!manager.isTokenValid()) {
      return {
        name: NAME,
        status: 'warn',
        detail: 'cannot read the registered static IPs without a valid token',
        fix: 'Run hft login, then hft doctor again',
      };
    }
    const ips = await manager.getStaticIps();
    registered = [ips.primary, ips.secondary].filter((ip): ip is string => ip !== null);
  } catch (error) {
    return {
      name: NAME,
      status: 'warn',
      detail: `could not read the registered static IPs: ${describeError(error)}`,
      fix: 'Check the token (hft status --probe) and the network, then run hft doctor again',
    };
  }
  const egress = await findEgress(ctx.env, registered);
  if (registered.length === 0) {
    const here = egress.kind === 'unknown' ? 'PUBLIC_IP' : egress.ips[0]!;
    return {
      name: NAME,
      status: 'fail',
      detail: 'no static IP is registered, so Upstox refuses every order (UDAPI1154)',
      fix: `hft ip set ${here} (or register it in My Apps on Upstox; a change logs you out and is allowed once a week)`,
    };
  }
  const list = registered.join(', ');
  if (egress.kind === 'unknown') {
    return {
      name: NAME,
      status: 'warn',
      detail: `registered: ${list}; this machine's address is not known: ${egress.reason}`,
      fix: HOW_TO_TELL,
    };
  }
  const source =
    egress.kind === 'env'
      ? 'HFT_EGRESS_IP'
      : egress.kind === 'echo'
        ? `the echo URL ${egress.url}`
        : "this machine's interfaces";
  const match = egress.ips.find((ip) => registered.includes(ip));
  if (match !== undefined) {
    return {
      name: NAME,
      status: 'pass',
      detail: `${match} (from ${source}) is registered (registered: ${list})`,
    };
  }
  const here = egress.ips[0]!;
  // Keep the registered primary when the secondary slot is free; otherwise replace both.
  const command = registered.length === 1 ? `hft ip set ${registered[0]} ${here}` : `hft ip set ${here}`;
  return {
    name: NAME,
    status: 'fail',
    detail: `this machine's address ${egress.ips.join(', ')} (from ${source}) is not registered (registered: ${list}); Upstox will refuse its orders (UDAPI1154)`,
    fix: `${command} (or in My Apps on Upstox; it invalidates the tokens, so log in again, and is allowed once a week), or send orders from a registered address`,
  };
}
