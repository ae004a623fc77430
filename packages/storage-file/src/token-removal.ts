// `delete` on disk: remove the account's own file, and the default file when it holds the
// account, never a file another writer put there meanwhile.
import { unlink } from 'node:fs/promises';
import { FileChanged, retrying } from './file-changed.js';
import { detachIfSame, fsyncDir } from './file-io.js';
import type { FileOwner } from './file-owner.js';
import type { Layout } from './layout.js';
import { asStorageError, errnoCode } from './store-errors.js';

/**
 * Removes every file holding `key`; `true` when one was removed. A corrupt default file fails
 * the call (it could have been this account's) unless the account's own file was removed.
 * @throws StorageError
 */
export async function removeKey(layout: Layout, owner: FileOwner, key: string): Promise<boolean> {
  const context = { operation: 'delete', key };
  let removed = false;
  await retrying(layout.dir, context, async () => {
    if ((await layout.dirState(context)) === 'missing') return;
    const own = layout.namedPath(key);
    try {
      await unlink(own);
      removed = true;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw asStorageError(error, 'remove', own, context);
    }
    const shared = await layout.read(layout.defaultPath, context);
    if (!shared) return;
    let holder: string | undefined;
    try {
      holder = (await owner.identify(shared, context)).identity.key;
    } catch (error) {
      // A corrupt default file could have been this account's: fail closed, unless this
      // account's own file was just removed (then the corrupt one is someone else's problem).
      if (removed) return;
      throw error;
    }
    if (holder !== key) return;
    const aside = layout.asideFor(shared.path);
    try {
      const outcome = await detachIfSame(shared, aside);
      if (outcome === 'changed') throw new FileChanged();
      if (outcome === 'detached') {
        await unlink(aside);
        removed = true;
      }
    } catch (error) {
      if (error instanceof FileChanged) throw error;
      throw asStorageError(error, 'remove', shared.path, context);
    }
  });
  if (removed) {
    try {
      await fsyncDir(layout.dir);
    } catch (error) {
      throw asStorageError(error, 'flush', layout.dir, context);
    }
  }
  return removed;
}
