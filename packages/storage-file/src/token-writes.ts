// `set` on disk: replace the account's file atomically, or pick the file of an account's first
// write under the directory's placement lease; then sweep crashed writers' temp files.
import { type LeasePrimitives, withLease } from '@hft/auth-core/store';
import { createExclusive, type WrittenFile, writeReplacing } from './file-io.js';
import type { Layout } from './layout.js';
import { sweepOrphans } from './orphan-sweep.js';
import type { OverwriteCheck, Placement, WriteTarget } from './placement.js';
import { asStorageError } from './store-errors.js';

/** Lock key serialising the first placement of accounts in the directory. */
const PLACEMENT_LOCK = 'hft:placement';
const PLACEMENT_LEASE_MS = 10_000;

type WriteContext = { operation: string; key: string };

/** Options of {@link createTokenWrites}. */
export interface TokenWritesOptions {
  layout: Layout;
  placement: Placement;
  /** The store's lease primitives (for the placement lock). */
  lease: LeasePrimitives;
}

/** Writes the file of a key (see {@link createTokenWrites}). */
export type TokenWrites = ReturnType<typeof createTokenWrites>;

/** Creates the writer of one store. */
export function createTokenWrites(options: TokenWritesOptions) {
  const { layout, placement, lease } = options;

  /** Atomically replaces `path` with `text` and remembers the new file as the key's. */
  async function replace(key: string, path: string, text: string, context: WriteContext): Promise<void> {
    let identity: WrittenFile;
    try {
      identity = await writeReplacing(path, text);
    } catch (error) {
      throw asStorageError(error, 'write', path, context);
    }
    placement.wrote(key, path, identity);
    await sweepOrphans(layout.dir, identity.mtimeMs);
  }

  /** Writes `text` at a placement decided under the placement lock. */
  async function place(key: string, target: WriteTarget, text: string, context: WriteContext): Promise<void> {
    if (target.kind === 'replace') return replace(key, target.path, text, context);
    let claimed: boolean;
    try {
      claimed = await createExclusive(target.path, text, { durable: true });
    } catch (error) {
      throw asStorageError(error, 'write', target.path, context);
    }
    // Under the lock only another store without it (an older version) can beat us to the
    // default file; then the account's own file takes the record.
    if (!claimed) return replace(key, target.fallback, text, context);
    await sweepOrphans(layout.dir, target.path);
  }

  /**
   * Writes the file text of `key` where it belongs (the directory exists). `check` may refuse
   * to replace the file found there (see {@link OverwriteCheck}); the file this store wrote last
   * is its own and is not checked again.
   * @throws StorageError; FileChanged (the caller starts over).
   */
  async function write(
    key: string,
    text: string,
    context: WriteContext,
    check?: OverwriteCheck,
  ): Promise<void> {
    const last = await placement.lastWritten(key);
    if (last !== undefined) return replace(key, last, text, context);
    const target = await placement.writeTarget(key, context, check);
    if (target.kind === 'claim' || target.fresh) {
      // A first write of this account picks its file: do that one process at a time and
      // decide again under the lock, or two first writers of one account could put it in
      // two files (the default one and its own).
      await withLease(lease, PLACEMENT_LOCK, PLACEMENT_LEASE_MS, async () => {
        await place(key, await placement.writeTarget(key, context, check), text, context);
      });
      return;
    }
    // The account already has its file: replace it (atomic rename; no placement lock).
    await replace(key, target.path, text, context);
  }

  return { write };
}
