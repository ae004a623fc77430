import type { CommandContext } from '../context.js';
import { resealAll } from './store-reseal.js';

/**
 * `hft store rekey`: reseals every record under the current key (`HFT_MASTER_KEY` /
 * `HFT_MASTER_PASSPHRASE`), opening them with it or with the previous one
 * (`HFT_MASTER_KEY_PREVIOUS` / `HFT_MASTER_PASSPHRASE_PREVIOUS`). Safe to interrupt and run
 * again. Exit 1 when a record could not be resealed.
 */
export function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  return resealAll(ctx, 'rekey', options);
}
