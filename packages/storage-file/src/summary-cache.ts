// The listing cache of the file store: `<dir>/.listing/summaries.json` keeps, per token file,
// the summary of the record it held and the signature (device, inode, size, times) of the
// version that was read, and the signature of the token directory itself when it was listed.
// A listing trusts it at two levels:
// - the directory's signature is unchanged: no file was created, renamed or removed since
//   (every write is a rename), so the cached listing is the listing: no directory read, no stat;
// - else, a file whose `lstat` still shows its signature is not read; any write (a new inode),
//   edit or chmod of a file changes its signature and sends the listing back to the file.
// Writers never touch the cache, so `set` costs what it did: the listing that read the changes
// writes it. The cache lives in a sub-directory so that writing it leaves the token directory's
// signature alone.
import { lstatSync, type Stats } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type AccountSummary, isTokenKind, parseAccountKey, type TokenKind } from '@hft/auth-core/store';
import {
  ensureDirectory,
  FILE_MODE,
  fileSignature,
  type ModeTightened,
  readSnapshotSync,
  tempBeside,
} from './file-io.js';
import { LISTING_DIR } from './file-names.js';

/** Name of the cache file inside {@link LISTING_DIR}. */
export const SUMMARY_CACHE_FILE = 'summaries.json';

/** Format version of the cache file; another version is ignored (and rewritten). */
const CACHE_VERSION = 1;

/** Largest cache file read (64 MiB: about 400,000 accounts); a bigger one is ignored. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * How much older than the listing the directory's last change must be for the cache to vouch for
 * the whole directory, in ms. A file system stamps times at a coarse tick: a change in the same
 * tick as the listing's first look could leave the directory's time as it was.
 */
const SETTLED_MS = 2_000;

/**
 * Whether the directory changed so recently (by the wall clock, which may differ from the file
 * system's) that a cache written now could not vouch for all of it. Rewriting an unchanged cache
 * then only costs time. The age may be a little below zero (a file time has a fraction of a
 * millisecond that `Date.now()` drops, and the clocks may differ); a clock far behind the
 * directory's time answers "no", which keeps rewriting.
 */
export function settlingNow(dir: Stats): boolean {
  return Math.abs(Date.now() - dir.mtimeMs) < SETTLED_MS;
}

/** What the cache knows of one token file. */
export interface CachedFile {
  /** {@link fileSignature} of the version summarised. */
  signature: string;
  summary: AccountSummary;
}

/** The cache as loaded. */
export interface CacheView {
  /** The entry for `name`, when the file at `path` is still the version it summarised. */
  fresh(name: string, path: string): CachedFile | undefined;
  /**
   * Every entry (file name -> entry), in listing order, when the token directory is unchanged
   * since the listing that wrote them (`dir`: the directory's `lstat` now); else `undefined`.
   */
  whole(dir: Stats | undefined): ReadonlyMap<string, CachedFile> | undefined;
  /** How many files it knew. */
  readonly size: number;
}

/** How a listing went, for {@link SummaryCache.save}. */
export interface ListingPass {
  /** The token directory's `lstat` taken before it was read. */
  dir: Stats;
  /** Every token file in it became an entry (none skipped as foreign, unattributed or shadowed). */
  complete: boolean;
  /** How long the listing took, in ms (monotonic). */
  elapsedMs: number;
}

/** The listing cache of one token dir. */
export interface SummaryCache {
  /** The cache as it is on disk; `undefined` when missing, unreadable or of another format. */
  load(): CacheView | undefined;
  /** Replaces the cache with `files` (file name -> entry); failures are ignored (only slower). */
  save(files: ReadonlyMap<string, CachedFile>, pass: ListingPass): Promise<void>;
}

/**
 * Creates the listing cache of `dir`. `clientId` (the store option attributing files of the
 * original Python module) is recorded in it: a store with another one reads every file again.
 */
export function createSummaryCache(
  dir: string,
  clientId: string | undefined,
  tightened: ModeTightened,
): SummaryCache {
  const listingDir = join(dir, LISTING_DIR);
  const path = join(listingDir, SUMMARY_CACHE_FILE);
  const owner = clientId ?? null;
  return {
    load() {
      let parsed: ParsedCache;
      try {
        const text = readSnapshotSync(path, { tightened, maxBytes: MAX_CACHE_BYTES })?.text;
        if (text === undefined) return undefined;
        parsed = parseCache(text, owner);
      } catch {
        // A cache that cannot be read is only a slower listing.
        return undefined;
      }
      const { files, dir: vouched } = parsed;
      return {
        size: files.size,
        fresh(name, filePath) {
          const entry = files.get(name);
          if (entry === undefined) return undefined;
          try {
            return fileSignature(lstatSync(filePath)) === entry.signature ? entry : undefined;
          } catch {
            return undefined;
          }
        },
        whole: (now) =>
          vouched !== null && now !== undefined && fileSignature(now) === vouched ? files : undefined,
      };
    },

    async save(files, pass) {
      const body: Record<string, [string, ...Entry]> = {};
      for (const [name, { signature, summary }] of files) body[name] = [signature, ...toEntry(summary)];
      const temp = tempBeside(path, 'tmp');
      let handle: FileHandle | undefined;
      try {
        await ensureDirectory(listingDir, tightened);
        handle = await open(temp, 'wx', FILE_MODE);
        // The new file's time is the file system's "now": the directory must have settled before
        // the listing began for the cache to vouch for all of it.
        const createdAt = (await handle.stat()).mtimeMs;
        const vouched =
          pass.complete && createdAt - pass.dir.mtimeMs > SETTLED_MS + pass.elapsedMs
            ? fileSignature(pass.dir)
            : null;
        await handle.writeFile(
          JSON.stringify({ v: CACHE_VERSION, clientId: owner, dir: vouched, files: body }),
        );
        await handle.close();
        handle = undefined;
        // Atomic (temp file, rename) but not fsynced: a cache lost in a crash is rebuilt.
        await rename(temp, path);
      } catch {
        await handle?.close().catch(() => {});
        await unlink(temp).catch(() => {});
      }
    },
  };
}

/** A summary as the cache keeps it: key, kinds, expiry, name, user name (`null`: none). */
type Entry = [string, TokenKind[], number | null, string | null, string | null];

function toEntry(s: AccountSummary): Entry {
  return [s.key, s.kinds, s.expiresAt ?? null, s.name ?? null, s.userName ?? null];
}

const stringOrNull = (value: unknown) => value === null || typeof value === 'string';

/** The summary an entry holds; `undefined` when it is not a well-formed one. */
function fromEntry(entry: unknown[]): AccountSummary | undefined {
  const [key, kinds, expiresAt, name, userName] = entry;
  const ids = typeof key === 'string' ? parseAccountKey(key) : undefined;
  if (ids === undefined || !Array.isArray(kinds) || !kinds.every(isTokenKind)) return undefined;
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) return undefined;
  if (!stringOrNull(name) || !stringOrNull(userName)) return undefined;
  const summary: AccountSummary = { key: key as string, clientId: ids.clientId, userId: ids.userId, kinds };
  if (expiresAt !== null) summary.expiresAt = expiresAt;
  if (name !== null) summary.name = name as string;
  if (userName !== null) summary.userName = userName as string;
  return summary;
}

interface ParsedCache {
  files: Map<string, CachedFile>;
  /** The directory signature the cache vouches for; `null`: none. */
  dir: string | null;
}

/**
 * The entries of a cache file: none when it is of another format or owner. One malformed entry
 * withdraws the vouching for the whole directory (that file is read again).
 */
function parseCache(text: string, owner: string | null): ParsedCache {
  const files = new Map<string, CachedFile>();
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null) return { files, dir: null };
  const { v, clientId, dir, files: body } = value as Record<string, unknown>;
  if (v !== CACHE_VERSION || clientId !== owner || typeof body !== 'object' || body === null)
    return { files, dir: null };
  let whole = typeof dir === 'string';
  for (const [name, entry] of Object.entries(body)) {
    const summary =
      Array.isArray(entry) && typeof entry[0] === 'string' ? fromEntry(entry.slice(1)) : undefined;
    if (summary) files.set(name, { signature: entry[0], summary });
    else whole = false;
  }
  return { files, dir: whole ? (dir as string) : null };
}
