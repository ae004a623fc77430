// The listing cache of the file store: `<dir>/.summaries.json` keeps, per token file, the
// summary of the record it held and the signature (device, inode, size, times) of the version
// that was read. A listing reuses a summary only when the file's `lstat` still shows that
// signature, so one stat replaces one read; any write (a rename: a new inode), edit or chmod
// changes the signature and sends the listing back to the file. Writers never touch the cache:
// the listing that read a changed file writes it, so `set` costs what it did.
import { lstatSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AccountSummary, isTokenKind, parseAccountKey, type TokenKind } from '@hft/auth-core/store';
import { FILE_MODE, fileSignature, type ModeTightened, readSnapshotSync, tempBeside } from './file-io.js';

/** Name of the cache file in the token dir (never a token file name: listings skip it). */
export const SUMMARY_CACHE_FILE = '.summaries.json';

/** Format version of the cache file; another version is ignored (and rewritten). */
const CACHE_VERSION = 1;

/** Largest cache file read (64 MiB: about 250,000 accounts); a bigger one is ignored. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** What the cache knows of one token file. */
export interface CachedFile {
  /** {@link fileSignature} of the version summarised. */
  signature: string;
  summary: AccountSummary;
}

/** The cache as loaded: what it knows, checked against the file before each use. */
export interface CacheView {
  /** The entry for `name`, when the file at `path` is still the version it summarised. */
  fresh(name: string, path: string): CachedFile | undefined;
  /** How many files it knew. */
  readonly size: number;
}

/** The listing cache of one token dir. */
export interface SummaryCache {
  /** The cache as it is on disk; `undefined` when missing, unreadable or of another format. */
  load(): CacheView | undefined;
  /** Replaces the cache with `files` (file name -> entry); failures are ignored (only slower). */
  save(files: ReadonlyMap<string, CachedFile>): Promise<void>;
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
  const path = join(dir, SUMMARY_CACHE_FILE);
  const owner = clientId ?? null;
  return {
    load() {
      let files: Map<string, CachedFile>;
      try {
        const text = readSnapshotSync(path, { tightened, maxBytes: MAX_CACHE_BYTES })?.text;
        if (text === undefined) return undefined;
        files = parseCache(text, owner);
      } catch {
        // A cache that cannot be read is only a slower listing.
        return undefined;
      }
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
      };
    },

    async save(files) {
      const body: Record<string, [string, ...Entry]> = {};
      for (const [name, { signature, summary }] of files) body[name] = [signature, ...toEntry(summary)];
      const text = JSON.stringify({ v: CACHE_VERSION, clientId: owner, files: body });
      // Atomic (temp file, rename) but not fsynced: a cache lost in a crash is rebuilt.
      const temp = tempBeside(path, 'tmp');
      try {
        await writeFile(temp, text, { mode: FILE_MODE, flag: 'wx' });
        await rename(temp, path);
      } catch {
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

/** The entries of a cache file; empty when it is of another format or owner. */
function parseCache(text: string, owner: string | null): Map<string, CachedFile> {
  const files = new Map<string, CachedFile>();
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null) return files;
  const { v, clientId, files: body } = value as Record<string, unknown>;
  if (v !== CACHE_VERSION || clientId !== owner || typeof body !== 'object' || body === null) return files;
  for (const [name, entry] of Object.entries(body)) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
    const summary = fromEntry(entry.slice(1));
    if (summary) files.set(name, { signature: entry[0], summary });
  }
  return files;
}
