// A login whose token Upstox issued but the store refused is not lost: the record is kept in a
// 0600 file under `$HFT_HOME/recovery` (sealed when a master key is configured), and the next
// hft command that opens the store writes it there (newer wins) and removes the file.
import { readdirSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createRecordCodec,
  type RecordCipher,
  type TokenRecord,
  type TokenStore,
  writeIfNewer,
} from '@hft/auth-core/store';

const DIR = 'recovery';

function fileFor(home: string, key: string): string {
  return join(home, DIR, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** Keeps `record` for the next run; resolves with what to tell the user. */
export async function keepForRecovery(
  home: string,
  record: TokenRecord,
  cipher: RecordCipher | undefined,
): Promise<string> {
  const path = fileFor(home, record.accountKey);
  const codec = createRecordCodec({ backend: 'recovery', ...(cipher ? { cipher } : {}) });
  await mkdir(join(home, DIR), { recursive: true, mode: 0o700 });
  const { default: writeFileAtomic } = await import('write-file-atomic');
  // The account key travels beside the record: a sealed record is bound to it (additional data).
  const text = JSON.stringify({
    account_key: record.accountKey,
    record: codec.encode(record.accountKey, record),
  });
  await writeFileAtomic(path, `${text}\n`, { mode: 0o600, fsync: true });
  return `it is kept in ${path} (0600) and the next hft command stores it once the store can be written`;
}

/**
 * Stores every kept login into `store` and removes its file; one that still cannot be stored
 * stays for the next run. Returns a line per outcome, for the user. Cheap when there is none:
 * one directory read that fails with ENOENT.
 */
export async function storeRecovered(
  home: string,
  store: TokenStore,
  cipher: RecordCipher | undefined,
): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(join(home, DIR)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const codec = createRecordCodec({ backend: 'recovery', ...(cipher ? { cipher } : {}) });
  const notes: string[] = [];
  for (const name of names) {
    const path = join(home, DIR, name);
    try {
      const kept = JSON.parse(await readFile(path, 'utf8')) as { account_key?: unknown; record?: unknown };
      if (typeof kept.account_key !== 'string' || typeof kept.record !== 'string') {
        throw new Error('it is not a recovery file of hft');
      }
      const record = codec.decode(kept.account_key, kept.record);
      const { outcome } = await writeIfNewer(store, record);
      await rm(path, { force: true });
      notes.push(
        outcome === 'stale'
          ? `a kept login of ${record.accountKey} was older than the stored token; removed ${path}`
          : `stored the login kept in ${path} for ${record.accountKey}`,
      );
    } catch (error) {
      notes.push(
        `could not store the login kept in ${path} yet: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return notes;
}
