// `list()` and `summaries()`: every account with a file, from one directory read and the token
// files themselves, read a few at a time in parallel.
import { join } from 'node:path';
import { type AccountSummary, type RecordCodec, summarizeRecord } from '@hft/auth-core/store';
import { classifyFileName } from './file-names.js';
import type { FileOwner } from './file-owner.js';
import type { Layout } from './layout.js';
import type { Located } from './placement.js';
import type { Quarantine } from './quarantine.js';
import { decodeRecord } from './record-text.js';
import type { FailureContext } from './store-errors.js';

/** Token files read at once: enough to keep the thread pool busy, few enough to bound open files. */
const PARALLEL_READS = 16;

/** Runs `fn` on every item, at most `limit` at a time; the first failure rejects. */
async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The file holding each account in the directory of `layout`: its own file, else the default
 * file when that holds it (as `get` finds it). A per-account file holding another account and an
 * unattributed file of the original module are skipped (and reported once).
 * @throws StorageError (unreadable dir or file; a corrupt file is moved aside); FileChanged.
 */
async function locateAll(
  layout: Layout,
  owner: FileOwner,
  context: FailureContext,
): Promise<Map<string, Located>> {
  const found = new Map<string, Located>();
  if ((await layout.dirState(context)) === 'missing') return found;
  const names = (await layout.entries(context))
    .filter((name) => classifyFileName(name).kind !== 'other')
    .sort();
  const fromDefault = new Map<string, Located>();
  await eachBounded(names, PARALLEL_READS, async (name) => {
    const kind = classifyFileName(name);
    const path = join(layout.dir, name);
    const snapshot = await layout.read(path, context);
    if (!snapshot) return;
    const { file, identity } = await owner.identify(snapshot, context);
    if (kind.kind === 'named') {
      const fileKey = identity.key ?? kind.key;
      if (fileKey === kind.key)
        found.set(kind.key, {
          ...snapshot,
          file,
          identity: { ...identity, key: kind.key },
          isDefault: false,
        });
      else owner.foreign(path, fileKey);
    } else if (identity.key === undefined) {
      owner.unattributed(path);
    } else {
      fromDefault.set(identity.key, { ...snapshot, file, identity, isDefault: true });
    }
  });
  for (const [key, located] of fromDefault) if (!found.has(key)) found.set(key, located);
  return found;
}

/** Every account key with a file (see {@link locateAll}). */
export async function listKeys(layout: Layout, owner: FileOwner, context: FailureContext): Promise<string[]> {
  return [...(await locateAll(layout, owner, context)).keys()];
}

/**
 * The summary of every account with a file (see {@link locateAll}), each file read once.
 * @throws StorageError as `get` would for a file it cannot read or open.
 */
export async function listSummaries(
  layout: Layout,
  owner: FileOwner,
  codec: RecordCodec,
  quarantine: Quarantine,
  context: FailureContext,
): Promise<AccountSummary[]> {
  const out: AccountSummary[] = [];
  for (const [key, located] of await locateAll(layout, owner, context)) {
    out.push(summarizeRecord(key, await decodeRecord(located, key, context, codec, quarantine)));
  }
  return out;
}
