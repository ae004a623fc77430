// The name index of the file store: `<dir>/.names/<name>` holds the key of the account of that
// name, so finding an account by name reads two small files (the entry, then the record),
// however many accounts the directory holds. It is a hint, never trusted alone: the record it
// points at must carry the name, and a missing or stale entry only sends the caller to the full
// listing (which finds what older versions wrote).
import { readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAccountKey } from '@hft/auth-core/store';
import { ensureDirectory, FILE_MODE, type ModeTightened, readSnapshotSync, tempBeside } from './file-io.js';
import { encodeSegment } from './file-names.js';

/** Sub-directory of the token dir that holds the name index. */
export const NAMES_DIR = '.names';

/** The name index of one token directory. */
export interface NameIndex {
  /** The key the entry for `name` points at; `undefined` when there is none (or it is unreadable). */
  lookup(name: string): Promise<string | undefined>;
  /** Points the entry for `name` at `key` (atomically); failures are ignored (a missing entry is only slower). */
  note(name: string, key: string): Promise<void>;
  /** Writes the entries missing for `accounts` (named accounts found by a full listing). */
  repair(accounts: ReadonlyArray<{ key: string; name?: string }>): Promise<void>;
}

/** Creates the name index of `dir`. */
export function createNameIndex(dir: string, tightened: ModeTightened): NameIndex {
  const namesDir = join(dir, NAMES_DIR);
  const entry = (name: string) => join(namesDir, encodeSegment(name));
  // Atomic (temp file, rename) but not fsynced: an entry lost in a crash is only a slower lookup.
  const write = async (path: string, key: string) => {
    const temp = tempBeside(path, 'tmp');
    try {
      await writeFile(temp, `${key}\n`, { mode: FILE_MODE, flag: 'wx' });
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
  };
  return {
    async lookup(name) {
      try {
        const key = readSnapshotSync(entry(name), { tightened })?.text.trim();
        return key !== undefined && parseAccountKey(key) ? key : undefined;
      } catch {
        return undefined;
      }
    },
    async note(name, key) {
      try {
        await ensureDirectory(namesDir, tightened);
        const path = entry(name);
        let current: { text: string } | undefined;
        try {
          current = readSnapshotSync(path, { tightened });
        } catch {
          current = undefined;
        }
        if (current?.text.trim() !== key) await write(path, key);
      } catch {
        // The entry is a hint: the next lookup by this name falls back to the listing.
      }
    },
    async repair(accounts) {
      const named = accounts.filter((a) => a.name !== undefined && a.name !== '');
      if (named.length === 0) return;
      try {
        await ensureDirectory(namesDir, tightened);
        const present = new Set(await readdir(namesDir));
        for (const account of named) {
          const file = encodeSegment(account.name as string);
          if (!present.has(file)) await write(join(namesDir, file), account.key);
        }
      } catch {
        // As for note(): a hint.
      }
    },
  };
}
