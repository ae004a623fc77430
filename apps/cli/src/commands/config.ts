import { describeConfig } from '@hft/config';
import type { CommandContext } from '../context.js';

/** `hft config`: the resolved configuration, where each value came from, secrets masked. */
export async function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const { config, sources } = await ctx.config();
  const rows = describeConfig(config, sources);
  if (options.json) {
    ctx.output.json(Object.fromEntries(rows.map((r) => [r.field, { value: r.value, source: r.source }])));
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.field.length));
  const valueWidth = Math.min(60, Math.max(...rows.map((r) => r.value.length)));
  for (const r of rows)
    ctx.output.out(`${r.field.padEnd(width)}  ${r.value.padEnd(valueWidth)}  (${r.source})`);
  return 0;
}
