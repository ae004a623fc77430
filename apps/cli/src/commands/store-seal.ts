import type { CommandContext } from '../context.js';
import { resealAll } from './store-reseal.js';

/**
 * `hft store seal`: seals every plain record under the configured key (`HFT_MASTER_KEY` /
 * `HFT_MASTER_PASSPHRASE`), the migration to encryption at rest. Records already sealed are
 * rewritten under the current key too. Exit 1 when a record could not be sealed.
 */
export function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  return resealAll(ctx, 'seal', options);
}
