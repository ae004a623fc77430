import { cipherFromEnv, type TokenStore, writeLockKey } from '@hft/auth-core/store';
import { openTokenStore } from '@hft/config';
import { isHftError } from '@hft/errors';
import type { CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

/** Lease of the lock held around each record's read and rewrite, in ms. */
const LOCK_TTL_MS = 30_000;

/** What {@link resealAll} did, as `--json` prints it. */
export interface ResealSummary {
  command: 'seal' | 'rekey';
  /** Records found in the store. */
  total: number;
  /** Records read and written back, sealed under the current key. */
  resealed: number;
  /** Records gone between listing and rewriting (deleted meanwhile). */
  vanished: number;
  /** Records that could not be read or written; they are left as they were. */
  failed: Array<{ key: string; code: string; message: string }>;
  /** Fingerprint of the key every resealed record is now sealed under. */
  key_id: string;
}

/**
 * The loop behind `hft store seal` and `hft store rekey`: every record of the store, one at a
 * time, under the account's write lock (the one logins write under), is read (plain, or sealed
 * with the current or previous key) and written back sealed under the current key. Each write
 * is atomic, so a crash leaves every record readable with the current or the previous key and
 * a second run finishes the job. Progress `<verb> n of N` goes to stderr.
 */
export async function resealAll(
  ctx: CommandContext,
  command: 'seal' | 'rekey',
  options: { json?: boolean },
): Promise<number> {
  // seal migrates plain records, so it reads them; rekey only reads sealed ones.
  const cipher = cipherFromEnv(ctx.env, { allowPlaintext: command === 'seal' });
  if (!cipher) {
    throw new UsageError(
      `hft store ${command} needs the key to seal with: set HFT_MASTER_KEY (base64 of 32 bytes) or HFT_MASTER_PASSPHRASE${command === 'rekey' ? ', and the old one as HFT_MASTER_KEY_PREVIOUS or HFT_MASTER_PASSPHRASE_PREVIOUS' : ''}`,
    );
  }
  const { config } = await ctx.config();
  const store: TokenStore = await openTokenStore(config, {
    env: ctx.env,
    cipher,
    onWarning: (message) => ctx.output.note(`warning: ${message}`),
  });
  const verb = command === 'seal' ? 'sealed' : 'resealed';
  const summary: ResealSummary = {
    command,
    total: 0,
    resealed: 0,
    vanished: 0,
    failed: [],
    key_id: cipher.keyId,
  };
  try {
    const keys = await store.list();
    summary.total = keys.length;
    let n = 0;
    for (const key of keys) {
      n += 1;
      try {
        const outcome = await store.withLock(writeLockKey(key), LOCK_TTL_MS, async () => {
          const record = await store.get(key);
          if (record === undefined) return 'vanished' as const;
          await store.set(key, record);
          return 'resealed' as const;
        });
        summary[outcome] += 1;
        ctx.output.note(
          `${outcome === 'resealed' ? verb : 'gone (deleted meanwhile)'} ${n} of ${keys.length}: ${key}`,
        );
      } catch (error) {
        if (!isHftError(error)) throw error;
        summary.failed.push({ key, code: error.code, message: error.message });
        ctx.output.note(`failed ${n} of ${keys.length}: ${key}: ${error.message} [${error.code}]`);
      }
    }
  } finally {
    await store.close();
  }
  if (options.json) {
    ctx.output.json(summary);
  } else {
    ctx.output.out(
      `${summary.resealed} of ${summary.total} records ${verb} under key ${summary.key_id}` +
        (summary.vanished > 0 ? `, ${summary.vanished} deleted meanwhile` : '') +
        (summary.failed.length > 0
          ? `, ${summary.failed.length} failed (left as they were; run again once fixed)`
          : ''),
    );
  }
  return summary.failed.length > 0 ? 1 : 0;
}
