// `list()`: every account key with a file, read from the files themselves.
import { join } from 'node:path';
import { classifyFileName } from './file-names.js';
import type { FileOwner } from './file-owner.js';
import type { Layout } from './layout.js';
import type { FailureContext } from './store-errors.js';

/**
 * Every account key with a file in the directory of `layout`, from one directory read and a
 * read of each token file; a per-account file holding another account and an unattributed
 * file of the original module are skipped (and reported once).
 * @throws StorageError (unreadable dir or file; a corrupt file is moved aside); FileChanged.
 */
export async function listKeys(layout: Layout, owner: FileOwner, context: FailureContext): Promise<string[]> {
  if ((await layout.dirState(context)) === 'missing') return [];
  const names = await layout.entries(context);
  const keys = new Set<string>();
  for (const name of names.sort()) {
    const kind = classifyFileName(name);
    if (kind.kind === 'other') continue;
    const path = join(layout.dir, name);
    const snapshot = await layout.read(path, context);
    if (!snapshot) continue;
    const { identity } = await owner.identify(snapshot, context);
    if (kind.kind === 'named') {
      const fileKey = identity.key ?? kind.key;
      if (fileKey === kind.key) keys.add(kind.key);
      else owner.foreign(path, fileKey);
    } else if (identity.key === undefined) {
      owner.unattributed(path);
    } else {
      keys.add(identity.key);
    }
  }
  return [...keys];
}
