// The file store factory: checks arguments and composes the layout, placement, reads, writes,
// removal, lease and subscriptions of one token directory into a TokenStore.
import { resolve } from 'node:path';
import { assertTokenRecord, type TokenStore, withLease } from '@hft/auth-core/store';
import { assertFunction, invalidArgument } from '@hft/errors/assert';
import { systemClock } from '@hft/time/core';
import { createChangePeek } from './change-peek.js';
import { assertAccountKey, checkOptions } from './check-options.js';
import { retrying } from './file-changed.js';
import { readTextSync } from './file-io.js';
import { createFileOwner } from './file-owner.js';
import { createLayout } from './layout.js';
import { createFileLease } from './lease-file.js';
import { listKeys, listSummaries } from './listing.js';
import { createNameIndex } from './name-index.js';
import type { FileStoreWarning, FileTokenStoreOptions } from './options.js';
import { createPlacement } from './placement.js';
import { createQuarantine } from './quarantine.js';
import { decodeRecord, fileCodec, overwriteCheck } from './record-text.js';
import { BACKEND, errnoCode, storageError } from './store-errors.js';
import { createSubscriptions } from './subscriptions.js';
import { createSummaryCache } from './summary-cache.js';
import { removeKey } from './token-removal.js';
import { createTokenWrites } from './token-writes.js';

/**
 * Creates the file {@link TokenStore} (`name: 'file'`): one JSON file per account in `dir`,
 * written atomically (temp file, fsync, rename, fsync of the directory) with mode 0600 in a
 * 0700 directory; locks are lease files under `<dir>/.locks`; `watch` follows file-system events
 * on `dir`, so it sees writes of other processes.
 *
 * The first account stored in a directory with no token file gets `upstox_token.json` (the
 * original module's file, still read in its original format); every other account gets
 * `upstox_token.<client_id>.<user_id>.json`. See the package README for the format.
 *
 * @param options see {@link FileTokenStoreOptions}.
 * @throws InputError for invalid options. Operations throw `InputError` for bad arguments and
 *   `StorageError` for everything the disk does: `HFT_STORAGE_UNAVAILABLE` (unreadable dir or
 *   file, the cause attached), `HFT_STORAGE_UNSAFE_FILE` (a symbolic link, FIFO, device or file
 *   over 1 MiB where a token or lock file should be; never read through or waited on),
 *   `HFT_STORAGE_CORRUPT` (the file was moved aside; both paths are in the message),
 *   `HFT_STORAGE_WRONG_KEY` / `HFT_STORAGE_TAMPERED` (encrypted files),
 *   `HFT_STORAGE_LOCK_TIMEOUT` (`withLock`). A missing record is `undefined`, nothing else is.
 */
export function createFileTokenStore(options: FileTokenStoreOptions): TokenStore {
  checkOptions(options);
  const dir = resolve(options.dir);
  const clock = options.clock ?? systemClock;
  const { cipher, onWarning } = options;
  const codec = fileCodec(cipher);

  const warn = (warning: FileStoreWarning) => {
    try {
      onWarning?.(warning);
    } catch {
      // A failing warning handler must not fail the operation that reported it.
    }
  };
  const layout = createLayout({ dir, warn });
  const quarantine = createQuarantine({ dir, clock });
  const owner = createFileOwner({ clientId: options.clientId, quarantine, warn });
  const placement = createPlacement({ layout, owner, quarantine, warn });
  const lease = createFileLease({
    dir,
    clock,
    tightened: layout.tightened,
    releaseFailed: (path, error) =>
      warn({
        code: 'lock-release-failed',
        message: `could not release the lock ${path} (${errnoCode(error) ?? String(error)}); it frees itself when its lease ends`,
        path,
      }),
  });
  const writes = createTokenWrites({ layout, placement, lease });
  const names = createNameIndex(dir, layout.tightened);
  // Summaries of sealed records stay unread until opened: a plain cache beside them would be
  // neither sealed nor authenticated.
  const listingCache = codec.sealing
    ? undefined
    : createSummaryCache(dir, options.clientId, layout.tightened);
  const subscriptions = createSubscriptions({
    dir,
    debounceMs: options.watchDebounceMs ?? 25,
    peek: createChangePeek(layout, owner),
    defaultHolder() {
      try {
        const text = readTextSync(layout.defaultPath);
        return text === undefined ? undefined : owner.identifyText(text).identity.key;
      } catch {
        return undefined;
      }
    },
  });
  let closed = false;

  function ensureOpen(operation: string, key?: string): void {
    if (closed) throw storageError(`${operation} after close()`, { operation, key });
  }

  const store: TokenStore = {
    name: BACKEND,

    async get(key) {
      assertAccountKey(key);
      ensureOpen('get', key);
      const context = { operation: 'get', key };
      return retrying(dir, context, async () => {
        const found = await placement.locate(key, context);
        return found && decodeRecord(found, key, context, codec, quarantine);
      });
    },

    async set(key, record) {
      assertAccountKey(key);
      assertTokenRecord(record);
      if (record.accountKey !== key) throw invalidArgument('record.accountKey', `equal to key (${key})`);
      ensureOpen('set', key);
      const context = { operation: 'set', key };
      const text = codec.encode(key, record);
      // A sealed record this store cannot open is not replaced (a wrong key must not lock out
      // every process that has the right one).
      const check = overwriteCheck(codec, key);
      await layout.ensureDir(context);
      await retrying(dir, context, () => writes.write(key, text, context, check));
      if (record.accountName !== undefined) await names.note(record.accountName, key);
    },

    async delete(key) {
      assertAccountKey(key);
      ensureOpen('delete', key);
      placement.forget(key);
      return removeKey(layout, owner, key);
    },

    async list() {
      ensureOpen('list');
      const context = { operation: 'list' };
      return retrying(dir, context, () => listKeys(layout, owner, context, listingCache));
    },

    async summaries() {
      ensureOpen('summaries');
      const context = { operation: 'summaries' };
      const listed = await retrying(dir, context, () =>
        listSummaries(layout, owner, codec, quarantine, context, listingCache),
      );
      // Accounts written by older versions (or before a crash) get their name entries here.
      await names.repair(listed);
      return listed;
    },

    async accountNamed(name) {
      ensureOpen('get');
      const key = typeof name === 'string' && name !== '' ? await names.lookup(name) : undefined;
      if (key === undefined) return undefined;
      const record = await store.get(key);
      return record?.accountName === name ? { key, record } : undefined;
    },

    async withLock(key, ttlMs, fn, lockOptions) {
      ensureOpen('lock', typeof key === 'string' ? key : undefined);
      return withLease(lease, key, ttlMs, fn, lockOptions);
    },

    watch(key, onChange) {
      assertAccountKey(key);
      assertFunction(onChange, 'onChange');
      ensureOpen('watch', key);
      return subscriptions.add(key, onChange);
    },

    watchAll(onChange) {
      if (typeof onChange !== 'function') throw invalidArgument('onChange', 'a function');
      ensureOpen('watch');
      return subscriptions.addAll(onChange);
    },

    async close() {
      closed = true;
      subscriptions.close();
    },
  };
  return store;
}
