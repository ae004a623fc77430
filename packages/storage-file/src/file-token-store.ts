import { mkdirSync } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  assertTokenRecord,
  createRecordCodec,
  parseAccountKey,
  type TokenRecord,
  type TokenStore,
  type TokenStoreChange,
  type Unsubscribe,
  withLease,
} from '@hft/auth-core/store';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { systemClock } from '@hft/time/core';
import { watchDirectory } from './dir-watcher.js';
import {
  createExclusive,
  DIR_MODE,
  detachIfSame,
  type FileSnapshot,
  fsyncDir,
  type WrittenFile,
  writeReplacing,
} from './file-io.js';
import { fileRecordFormat } from './file-record-format.js';
import { createFileLease } from './lease-file.js';
import type { FileStoreWarning, FileTokenStoreOptions } from './options.js';
import type { FileIdentity } from './record-format.js';
import { asStorageError, BACKEND, errnoCode, type FailureContext, storageError } from './store-errors.js';
import { createTokenFiles, FileChanged, type Located, UNREADABLE, type WriteTarget } from './token-files.js';

/** How many times an operation starts over when files change under it before giving up. */
/** Lock key serialising the first placement of accounts in the directory. */
const PLACEMENT_LOCK = 'hft:placement';
const PLACEMENT_LEASE_MS = 10_000;
const MAX_ATTEMPTS = 5;

interface Subscription {
  key: string;
  onChange: (change: TokenStoreChange) => void;
  last: string | undefined | typeof UNREADABLE;
}

function invalid(argument: string, expected: string): InputError {
  return new InputError(`${argument} must be ${expected}`, { details: { argument } });
}

function checkOptions(options: FileTokenStoreOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object');
  if (typeof options.dir !== 'string' || options.dir.length === 0) {
    throw invalid('options.dir', 'a non-empty directory path');
  }
  const { clientId, cipher, onWarning, watchDebounceMs, clock } = options;
  if (clientId !== undefined && (typeof clientId !== 'string' || !/^[^:]+$/.test(clientId))) {
    throw invalid('options.clientId', 'a non-empty string without ":"');
  }
  if (cipher !== undefined && (typeof cipher?.seal !== 'function' || typeof cipher.open !== 'function')) {
    throw invalid('options.cipher', 'a RecordCipher (see createRecordCipher)');
  }
  if (onWarning !== undefined && typeof onWarning !== 'function')
    throw invalid('options.onWarning', 'a function');
  if (
    watchDebounceMs !== undefined &&
    (typeof watchDebounceMs !== 'number' || !Number.isFinite(watchDebounceMs) || watchDebounceMs < 0)
  ) {
    throw invalid('options.watchDebounceMs', 'a finite number of milliseconds >= 0');
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw invalid('options.clock', 'an object with a now() method');
  }
}

function assertAccountKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !parseAccountKey(key)) {
    throw invalid('key', 'an account key upstox:<client_id>:<user_id>');
  }
}

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
 *   file, the cause attached), `HFT_STORAGE_CORRUPT` (the file was moved aside; both paths are
 *   in the message), `HFT_STORAGE_WRONG_KEY` / `HFT_STORAGE_TAMPERED` (encrypted files),
 *   `HFT_STORAGE_LOCK_TIMEOUT` (`withLock`). A missing record is `undefined`, nothing else is.
 */
export function createFileTokenStore(options: FileTokenStoreOptions): TokenStore {
  checkOptions(options);
  const dir = resolve(options.dir);
  const clock = options.clock ?? systemClock;
  const { cipher, onWarning } = options;
  const codec = createRecordCodec({
    backend: BACKEND,
    format: fileRecordFormat,
    ...(cipher ? { cipher } : {}),
  });
  const debounceMs = options.watchDebounceMs ?? 25;

  const warn = (warning: FileStoreWarning) => {
    try {
      onWarning?.(warning);
    } catch {
      // A failing warning handler must not fail the operation that reported it.
    }
  };
  const files = createTokenFiles({ dir, clientId: options.clientId, clock, warn });
  const lease = createFileLease({
    dir,
    clock,
    tightened: files.tightened,
    releaseFailed: (path, error) =>
      warn({
        code: 'lock-release-failed',
        message: `could not release the lock ${path} (${errnoCode(error) ?? String(error)}); it frees itself when its lease ends`,
        path,
      }),
  });

  let closed = false;
  let swept = false;
  /** Key -> the file this store last wrote for it (device + inode), to skip re-reading it on set. */
  const written = new Map<string, WrittenFile & { path: string }>();
  const subscriptions = new Set<Subscription>();
  let stopWatching: (() => void) | undefined;
  let checking = false;
  let checkAgain = false;

  function ensureOpen(operation: string, key?: string): void {
    if (closed) throw storageError(`${operation} after close()`, { operation, key });
  }

  async function retrying<T>(context: FailureContext, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof FileChanged)) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw storageError(
            `the files of ${context.key ?? dir} kept changing during ${context.operation}`,
            context,
          );
        }
      }
    }
  }

  async function decode(found: Located, key: string, context: FailureContext): Promise<TokenRecord> {
    try {
      return codec.decode(key, found.text, {
        label: found.path,
        details: { paths: [found.path] },
        sealed: found.identity.sealed,
        parsed: found.file,
        operation: context.operation,
      });
    } catch (error) {
      if (error instanceof StorageError && error.code === ErrorCodes.STORAGE_CORRUPT) {
        if (error.cause instanceof InputError) throw await files.corrupt(found, error.cause, context);
      }
      throw error;
    }
  }

  async function afterWrite(path: string): Promise<void> {
    if (swept) return;
    swept = true;
    await files.sweepOrphans(path);
  }

  async function checkSubscriptions(): Promise<void> {
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    try {
      do {
        checkAgain = false;
        for (const key of new Set([...subscriptions].map((s) => s.key))) {
          const now = await files.peek(key);
          if (now === UNREADABLE) continue;
          for (const sub of subscriptions) {
            if (sub.key !== key || sub.last === now) continue;
            const before = sub.last;
            sub.last = now;
            // From "could not tell" to "absent" is no news.
            if (now === undefined && before === UNREADABLE) continue;
            try {
              sub.onChange({ key, kind: now === undefined ? 'delete' : 'set' });
            } catch {
              // A subscriber's failure is its own; other subscribers still hear of the change.
            }
          }
        }
      } while (checkAgain && !closed);
    } finally {
      checking = false;
    }
  }

  /** Writes `text` at a placement decided under the placement lock. */
  async function place(
    key: string,
    target: WriteTarget,
    text: string,
    context: { operation: string; key: string },
  ) {
    try {
      if (target.kind === 'claim') {
        // Under the lock only another store without it (an older version) can beat us to the
        // default file; then the account's own file takes the record.
        if (!(await createExclusive(target.path, text, { durable: true }))) {
          await replace(key, target.fallback, text, context);
          return;
        }
      } else {
        await replace(key, target.path, text, context);
        return;
      }
    } catch (error) {
      throw asStorageError(error, 'write', target.path, context);
    }
    await afterWrite(target.path);
  }

  /** Atomically replaces `path` with `text` and remembers the new file as the key's. */
  async function replace(
    key: string,
    path: string,
    text: string,
    context: { operation: string; key: string },
  ) {
    let identity: WrittenFile;
    try {
      identity = await writeReplacing(path, text);
    } catch (error) {
      throw asStorageError(error, 'write', path, context);
    }
    written.set(key, { path, ...identity });
    await afterWrite(path);
  }

  return {
    name: BACKEND,

    async get(key) {
      assertAccountKey(key);
      ensureOpen('get', key);
      const context = { operation: 'get', key };
      return retrying(context, async () => {
        const found = await files.locate(key, context);
        return found && decode(found, key, context);
      });
    },

    async set(key, record) {
      assertAccountKey(key);
      assertTokenRecord(record);
      if (record.accountKey !== key) throw invalid('record.accountKey', `equal to key (${key})`);
      ensureOpen('set', key);
      const context = { operation: 'set', key };
      const text = codec.encode(key, record);
      // A sealed record this store cannot open is not replaced (a wrong key must not lock out
      // every process that has the right one).
      const mayReplace = (found: FileSnapshot, identity: FileIdentity) =>
        codec.checkOverwrite(key, found.text, {
          label: found.path,
          details: { paths: [found.path] },
          sealed: identity.sealed,
          operation: 'set',
        });
      await files.ensureDir(context);
      await retrying(context, async () => {
        // The file this store wrote last for the key, if it is still that very file (same inode,
        // size and mtime): nobody replaced, removed or edited it since, so it still belongs to
        // the key and needs no re-reading.
        const last = written.get(key);
        if (last !== undefined) {
          const now = await stat(last.path).catch(() => undefined);
          if (
            now !== undefined &&
            now.ino === last.ino &&
            now.dev === last.dev &&
            now.size === last.size &&
            now.mtimeMs === last.mtimeMs
          ) {
            await replace(key, last.path, text, context);
            return;
          }
          written.delete(key);
        }
        const target = await files.writeTarget(key, context, mayReplace);
        if (target.kind === 'claim' || target.fresh) {
          // A first write of this account picks its file: do that one process at a time and
          // decide again under the lock, or two first writers of one account could put it in
          // two files (the default one and its own).
          await withLease(lease, PLACEMENT_LOCK, PLACEMENT_LEASE_MS, async () => {
            await place(key, await files.writeTarget(key, context, mayReplace), text, context);
          });
          return;
        }
        // The account already has its file: replace it (atomic rename; no placement lock).
        await replace(key, target.path, text, context);
      });
    },

    async delete(key) {
      assertAccountKey(key);
      ensureOpen('delete', key);
      const context = { operation: 'delete', key };
      written.delete(key);
      let removed = false;
      await retrying(context, async () => {
        if ((await files.dirState(context)) === 'missing') return;
        const own = files.namedPath(key);
        try {
          await unlink(own);
          removed = true;
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw asStorageError(error, 'remove', own, context);
        }
        const shared = await files.read(files.defaultPath, context);
        if (!shared) return;
        let owner: string | undefined;
        try {
          owner = (await files.identify(shared, context)).identity.key;
        } catch (error) {
          // A corrupt default file could have been this account's: fail closed, unless this
          // account's own file was just removed (then the corrupt one is someone else's problem).
          if (removed) return;
          throw error;
        }
        if (owner !== key) return;
        const aside = files.asideFor(shared.path);
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
          await fsyncDir(dir);
        } catch (error) {
          throw asStorageError(error, 'flush', dir, context);
        }
      }
      return removed;
    },

    async list() {
      ensureOpen('list');
      const context = { operation: 'list' };
      return retrying(context, () => files.listKeys(context));
    },

    async withLock(key, ttlMs, fn, lockOptions) {
      ensureOpen('lock', typeof key === 'string' ? key : undefined);
      return withLease(lease, key, ttlMs, fn, lockOptions);
    },

    watch(key, onChange): Unsubscribe {
      assertAccountKey(key);
      if (typeof onChange !== 'function') throw invalid('onChange', 'a function');
      ensureOpen('watch', key);
      const sub: Subscription = { key, onChange, last: files.peekSync(key) };
      subscriptions.add(sub);
      if (!stopWatching) {
        try {
          // Watching needs the directory; a path that cannot be created is retried by the watcher.
          mkdirSync(dir, { recursive: true, mode: DIR_MODE });
        } catch {
          // The watcher keeps retrying until the directory exists.
        }
        stopWatching = watchDirectory({
          dir,
          debounceMs,
          onChange: () => {
            void checkSubscriptions();
          },
        });
      }
      return () => {
        subscriptions.delete(sub);
        if (subscriptions.size === 0 && stopWatching) {
          stopWatching();
          stopWatching = undefined;
        }
      };
    },

    async close() {
      closed = true;
      subscriptions.clear();
      stopWatching?.();
      stopWatching = undefined;
    },
  };
}
