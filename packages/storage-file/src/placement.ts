// Which file holds each account, remembered between calls: where `get` finds a key, where
// `set` writes it, and the file this store itself last wrote for it.
import { lstat } from 'node:fs/promises';
import { InputError } from '@hft/errors';
import type { FileSnapshot, WrittenFile } from './file-io.js';
import type { FileOwner } from './file-owner.js';
import type { Layout } from './layout.js';
import type { FileStoreWarning } from './options.js';
import type { Quarantine } from './quarantine.js';
import type { FileIdentity } from './record-format.js';
import type { FailureContext } from './store-errors.js';

/** A token file found for a key: what was read, parsed and identified. */
export interface Located extends FileSnapshot {
  file: Record<string, unknown>;
  identity: FileIdentity;
  /** The default file (`upstox_token.json`) rather than a per-account file. */
  isDefault: boolean;
}

/** Where `set` writes a key: an existing path, or the default file if it can claim it. */
export type WriteTarget =
  | { kind: 'replace'; path: string; fresh?: boolean }
  | { kind: 'claim'; path: string; fallback: string };

/** Options of {@link createPlacement}. */
export interface PlacementOptions {
  layout: Layout;
  owner: FileOwner;
  quarantine: Quarantine;
  /** Receives the store's warnings. */
  warn(warning: FileStoreWarning): void;
}

/** Remembered file locations of one store (see {@link createPlacement}). */
export type Placement = ReturnType<typeof createPlacement>;

/** Creates the placement of one store. */
/** Sees the file a write would replace, before it is replaced; throws to refuse the write. */
export type OverwriteCheck = (snapshot: FileSnapshot, identity: FileIdentity) => void;

export function createPlacement(options: PlacementOptions) {
  const { layout, owner, quarantine } = options;
  const { defaultPath, namedPath } = layout;
  /** Key -> the file it was last found in (a hint, always verified). */
  const hints = new Map<string, string>();
  /** Key -> the file this store last wrote for it (device + inode), to skip re-reading it on set. */
  const written = new Map<string, WrittenFile & { path: string }>();

  /**
   * Finds the file holding `key`: its own file `upstox_token.<client>.<user>.json` first, then
   * the default file when that one belongs to `key`. `undefined` only when no file holds it.
   * @throws StorageError (unreadable, corrupt and moved aside, or a name collision); FileChanged.
   */
  async function locate(key: string, context: FailureContext): Promise<Located | undefined> {
    const ownPath = namedPath(key);
    // Where the key was found last time: one read instead of a directory check, a failed open
    // and a second read. Any surprise there falls back to the full search.
    const hint = hints.get(key);
    if (hint !== undefined) {
      const snapshot = await layout.read(hint, context);
      if (snapshot) {
        const { file, identity } = await owner.identify(snapshot, context);
        const fileKey = identity.key ?? (hint === ownPath ? key : undefined);
        if (fileKey === key)
          return { ...snapshot, file, identity: { ...identity, key }, isDefault: hint !== ownPath };
      }
      hints.delete(key);
    }
    const found = await search(key, ownPath, context);
    if (found) hints.set(key, found.path);
    return found;
  }

  async function search(key: string, ownPath: string, context: FailureContext): Promise<Located | undefined> {
    if ((await layout.dirState(context)) === 'missing') return undefined;
    const own = await layout.read(ownPath, context);
    if (own) {
      const { file, identity } = await owner.identify(own, context);
      const fileKey = identity.key ?? key;
      if (fileKey !== key) throw owner.collision(ownPath, key, fileKey, context);
      return { ...own, file, identity: { ...identity, key }, isDefault: false };
    }
    const shared = await layout.read(defaultPath, context);
    if (!shared) return undefined;
    const { file, identity } = await owner.identify(shared, context);
    if (identity.key === undefined) {
      owner.unattributed(defaultPath);
      return undefined;
    }
    return identity.key === key ? { ...shared, file, identity, isDefault: true } : undefined;
  }

  /**
   * Decides where `set` writes `key`: the file already holding it; else, in a directory with no
   * token file yet, the default file (claimed without replacing, so two first writers of
   * different accounts never share it); else the account's own file. An unreadable file at
   * the account's own path is moved aside (reported with `corrupt-replaced`). `check` sees the
   * file that holds `key` now, if any, before it is chosen for replacing (and may throw).
   */
  async function writeTarget(
    key: string,
    context: FailureContext,
    check?: OverwriteCheck,
  ): Promise<WriteTarget> {
    const ownPath = namedPath(key);
    const own = await layout.read(ownPath, context);
    if (own) {
      let identity: FileIdentity;
      try {
        identity = owner.identifyText(own.text).identity;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        const aside = await quarantine.moveAside(own, error.message, context);
        options.warn({
          code: 'corrupt-replaced',
          message: `${ownPath} was corrupt (${error.message}); moved it to ${aside} and wrote a fresh file`,
          path: ownPath,
        });
        return { kind: 'replace', path: ownPath };
      }
      const fileKey = identity.key ?? key;
      if (fileKey !== key) throw owner.collision(ownPath, key, fileKey, context);
      check?.(own, identity);
      return { kind: 'replace', path: ownPath };
    }
    const shared = await layout.read(defaultPath, context);
    if (shared) {
      let identity: FileIdentity | undefined;
      try {
        identity = owner.identifyText(shared.text).identity;
      } catch (error) {
        // A corrupt default file is reported by the next read of it; it is not ours to replace.
        if (!(error instanceof InputError)) throw error;
      }
      if (identity?.key === key) {
        check?.(shared, identity);
        return { kind: 'replace', path: defaultPath };
      }
      return { kind: 'replace', path: ownPath, fresh: true };
    }
    if (await layout.hasTokenFiles(context)) return { kind: 'replace', path: ownPath, fresh: true };
    return { kind: 'claim', path: defaultPath, fallback: ownPath };
  }

  /**
   * The file this store wrote last for `key`, if it is still that very file (same inode, size
   * and mtime): nobody replaced, removed or edited it since, so it still belongs to the key and
   * needs no re-reading. Otherwise forgets it and resolves `undefined`.
   */
  async function lastWritten(key: string): Promise<string | undefined> {
    const last = written.get(key);
    if (last === undefined) return undefined;
    const now = await lstat(last.path).catch(() => undefined);
    if (
      now !== undefined &&
      now.ino === last.ino &&
      now.dev === last.dev &&
      now.size === last.size &&
      now.mtimeMs === last.mtimeMs
    ) {
      return last.path;
    }
    written.delete(key);
    return undefined;
  }

  return {
    locate,
    writeTarget,
    lastWritten,
    /** Remembers the file just written at `path` for `key`. */
    wrote: (key: string, path: string, identity: WrittenFile) => {
      written.set(key, { path, ...identity });
    },
    /** Forgets the file written for `key` (it is being removed). */
    forget: (key: string) => {
      written.delete(key);
    },
  };
}
