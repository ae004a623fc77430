import type { CommandContext } from '../context.js';
import { table } from '../format.js';

/** `hft ip`: the static IPs registered for the account's user (`GET /v2/user/ip`). */
export async function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const manager = await ctx.manager();
  const ips = await manager.getStaticIps();
  if (options.json) {
    ctx.output.json({
      primary_ip: ips.primary,
      secondary_ip: ips.secondary,
      primary_ip_updated_at: ips.primaryUpdatedAt ?? null,
      secondary_ip_updated_at: ips.secondaryUpdatedAt ?? null,
    });
    return 0;
  }
  const when = (at: string | undefined) => (at ? ` (set ${at} IST)` : '');
  for (const line of table([
    ['Primary IP', ips.primary ? `${ips.primary}${when(ips.primaryUpdatedAt)}` : '- (none registered)'],
    ['Secondary IP', ips.secondary ? `${ips.secondary}${when(ips.secondaryUpdatedAt)}` : '-'],
  ]))
    ctx.output.out(line);
  if (!ips.primary && !ips.secondary)
    ctx.output.note('Orders are refused (UDAPI1154) until one is registered: hft ip set PRIMARY [SECONDARY]');
  return 0;
}
