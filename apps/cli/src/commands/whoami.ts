import type { CommandContext } from '../context.js';
import { table } from '../format.js';

/** `hft whoami`: the profile Upstox returns for the token (so it also checks the token). */
export async function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const manager = await ctx.manager();
  const profile = await manager.whoami();
  if (options.json) {
    ctx.output.json({
      user_id: profile.userId,
      user_name: profile.userName ?? null,
      email: profile.email ?? null,
      broker: profile.broker ?? null,
      user_type: profile.userType ?? null,
      exchanges: profile.exchanges,
      products: profile.products,
      order_types: profile.orderTypes,
      poa: profile.poa ?? null,
      ddpi: profile.ddpi ?? null,
      is_active: profile.isActive ?? null,
    });
    return 0;
  }
  for (const line of table([
    ['User', profile.userId],
    ['Name', profile.userName ?? '-'],
    ['Email', profile.email ?? '-'],
    ['Broker', profile.broker ?? '-'],
    ['Exchanges', profile.exchanges.join(', ') || '-'],
    ['Products', profile.products.join(', ') || '-'],
    ['Order types', profile.orderTypes.join(', ') || '-'],
    ['Active', profile.isActive === undefined ? '-' : profile.isActive ? 'yes' : 'no'],
  ]))
    ctx.output.out(line);
  return 0;
}
