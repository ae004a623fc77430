// `list()` and `summaries()`: every account with a file, from the listing cache when the
// directory is unchanged since it was written, else from one directory read, the cache (one stat
// per file it vouches for) and a read of every other token file.
import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { type AccountSummary, type RecordCodec, summarizeRecord } from '@hft/auth-core/store';
import { classifyFileName } from './file-names.js';
import type { FileOwner } from './file-owner.js';
import type { Layout } from './layout.js';
import type { Located } from './placement.js';
import type { Quarantine } from './quarantine.js';
import { decodeRecord } from './record-text.js';
import type { FailureContext } from './store-errors.js';
import { type CachedFile, type CacheView, type SummaryCache, settlingNow } from './summary-cache.js';

/** The directory's `lstat`; `undefined` when it cannot be taken (the cache then vouches for nothing). */
function dirStats(dir: string): Stats | undefined {
  try {
    return lstatSync(dir);
  } catch {
    return undefined;
  }
}

/** What one pass over the directory found. */
interface Pass {
  /** Account key -> its file. */
  found: Map<string, Found>;
  /** Every token file became an account (none skipped as foreign, unattributed or shadowed). */
  complete: boolean;
}

/**
 * Files handled between two turns of the event loop. The reads and stats are synchronous (a
 * thread-pool round trip per call made a 10,000-file listing ten times slower, measured); a
 * batch this size blocks the loop for a few milliseconds at most.
 */
const BATCH = 256;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The file found for one account: read, or vouched for by the cache. */
interface Found {
  /** File name in the token dir. */
  name: string;
  /** The default file (`upstox_token.json`) rather than a per-account file. */
  isDefault: boolean;
  /** The {@link fileSignature} of the version read or vouched for. */
  signature: string;
  /** What was read; absent when the cache vouched for the file. */
  located?: Located;
  /** The cached summary (when the cache vouched for the file). */
  summary?: AccountSummary;
}

/**
 * The file holding each account in the directory of `layout`: its own file, else the default
 * file when that holds it (as `get` finds it). A per-account file holding another account and an
 * unattributed file of the original module are skipped (and reported once). A file the cache
 * vouches for is not read.
 * @throws StorageError (unreadable dir or file; a corrupt file is moved aside); FileChanged.
 */
async function locateAll(
  layout: Layout,
  owner: FileOwner,
  context: FailureContext,
  cache: CacheView | undefined,
): Promise<Pass> {
  const found = new Map<string, Found>();
  if ((await layout.dirState(context)) === 'missing') return { found, complete: false };
  const files = (await layout.entries(context))
    .sort()
    .map((name) => ({ name, kind: classifyFileName(name) }))
    .filter(({ kind }) => kind.kind !== 'other');
  const fromDefault = new Map<string, Found>();
  for (let start = 0; start < files.length; start += BATCH) {
    if (start > 0) await nextTurn();
    for (const { name, kind } of files.slice(start, start + BATCH)) {
      const path = join(layout.dir, name);
      const cached = cache?.fresh(name, path);
      if (cached !== undefined) {
        const { key } = cached.summary;
        const entry = { name, signature: cached.signature, summary: cached.summary };
        if (kind.kind === 'default') {
          fromDefault.set(key, { ...entry, isDefault: true });
          continue;
        }
        // An entry for a per-account file that spells another key is not trusted: read the file.
        if (kind.kind === 'named' && key === kind.key) {
          found.set(key, { ...entry, isDefault: false });
          continue;
        }
      }
      const read = await layout.read(path, context);
      if (!read) continue;
      const { signature, ...snapshot } = read;
      const { file, identity } = await owner.identify(snapshot, context);
      if (kind.kind === 'named') {
        const fileKey = identity.key ?? kind.key;
        if (fileKey === kind.key) {
          const located = { ...snapshot, file, identity: { ...identity, key: kind.key }, isDefault: false };
          found.set(kind.key, { name, signature, located, isDefault: false });
        } else owner.foreign(path, fileKey);
      } else if (identity.key === undefined) {
        owner.unattributed(path);
      } else {
        const located = { ...snapshot, file, identity, isDefault: true };
        fromDefault.set(identity.key, { name, signature, located, isDefault: true });
      }
    }
  }
  for (const [key, entry] of fromDefault) if (!found.has(key)) found.set(key, entry);
  return { found, complete: found.size === files.length };
}

/** The cached listing, when the cache vouches for the whole directory as it is now. */
async function wholeFromCache(
  layout: Layout,
  context: FailureContext,
  view: CacheView | undefined,
): Promise<{ files?: ReadonlyMap<string, CachedFile>; dir: Stats | undefined }> {
  const dir = dirStats(layout.dir);
  const files = view?.whole(dir);
  // The directory check still runs: it reports (and tightens) a loose mode.
  if (files !== undefined && (await layout.dirState(context)) === 'present') return { files, dir };
  return { dir };
}

/** Every account key with a file (see {@link locateAll}). */
export async function listKeys(
  layout: Layout,
  owner: FileOwner,
  context: FailureContext,
  cache: SummaryCache | undefined,
): Promise<string[]> {
  const view = cache?.load();
  const { files } = await wholeFromCache(layout, context, view);
  if (files) return [...files.values()].map(({ summary }) => summary.key);
  return [...(await locateAll(layout, owner, context, view)).found.keys()];
}

/**
 * The summary of every account with a file (see {@link locateAll}): from the cache where it
 * vouches for the directory or the file, else from the file, read once. The cache is rewritten
 * when it was missing, stale or incomplete.
 * @throws StorageError as `get` would for a file it cannot read or open.
 */
export async function listSummaries(
  layout: Layout,
  owner: FileOwner,
  codec: RecordCodec,
  quarantine: Quarantine,
  context: FailureContext,
  cache: SummaryCache | undefined,
): Promise<AccountSummary[]> {
  const started = performance.now();
  const view = cache?.load();
  const whole = await wholeFromCache(layout, context, view);
  if (whole.files) return [...whole.files.values()].map(({ summary }) => summary);
  const pass = await locateAll(layout, owner, context, view);
  const out: AccountSummary[] = [];
  const files = new Map<string, CachedFile>();
  let read = 0;
  for (const [key, found] of pass.found) {
    let summary = found.summary;
    if (summary === undefined) {
      read++;
      summary = summarizeRecord(
        key,
        await decodeRecord(found.located as Located, key, context, codec, quarantine),
      );
    }
    out.push(summary);
    files.set(found.name, { signature: found.signature, summary });
  }
  // Unchanged files, and a listing that could not make the cache vouch for more (incomplete, or
  // the directory still settling): the cache on disk says all there is to say.
  const unchanged =
    read === 0 &&
    files.size === view?.size &&
    (!pass.complete || (whole.dir !== undefined && settlingNow(whole.dir)));
  if (cache && whole.dir && out.length > 0 && !unchanged)
    await cache.save(files, {
      dir: whole.dir,
      complete: pass.complete,
      elapsedMs: performance.now() - started,
    });
  return out;
}
