// The name index of the file store: `<dir>/.names/<name>` holds the key of the account of that
// name, so finding an account by name reads two small files (the entry, then the record),
// however many accounts the directory holds. It is a hint, never trusted alone: the record it
// points at must carry the name, and a missing or stale entry only sends the caller to the full
// listing (which finds what older versions wrote).
import { join } from 'node:path';
import { parseAccountKey } from '@hft/auth-core/store';
import { ensureDirectory, type ModeTightened, readSnapshot, writeReplacing } from './file-io.js';
import { encodeSegment } from './file-names.js';

/** Sub-directory of the token dir that holds the name index. */
export const NAMES_DIR = '.names';

/** The name index of one token directory. */
export interface NameIndex {
  /** The key the entry for `name` points at; `undefined` when there is none (or it is unreadable). */
  lookup(name: string): Promise<string | undefined>;
  /** Points the entry for `name` at `key` (atomically); failures are ignored (a missing entry is only slower). */
  note(name: string, key: string): Promise<void>;
}

/** Creates the name index of `dir`. */
export function createNameIndex(dir: string, tightened: ModeTightened): NameIndex {
  const namesDir = join(dir, NAMES_DIR);
  const entry = (name: string) => join(namesDir, encodeSegment(name));
  return {
    async lookup(name) {
      try {
        const key = (await readSnapshot(entry(name), tightened))?.text.trim();
        return key !== undefined && parseAccountKey(key) ? key : undefined;
      } catch {
        return undefined;
      }
    },
    async note(name, key) {
      try {
        await ensureDirectory(namesDir, tightened);
        const path = entry(name);
        const current = await readSnapshot(path, tightened).catch(() => undefined);
        if (current?.text.trim() !== key) await writeReplacing(path, `${key}\n`);
      } catch {
        // The entry is a hint: the next lookup by this name falls back to the listing.
      }
    },
  };
}
