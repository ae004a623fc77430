import { readdirSync, readFileSync } from 'node:fs';
import { lstat, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAccountKey } from '@hft/auth-core/store';
import { ErrorCodes, InputError } from '@hft/errors';
import type { Clock } from '@hft/time/core';
import {
  checkDirectory,
  type DirState,
  detachIfSame,
  ensureDirectory,
  type FileSnapshot,
  fsyncDir,
  type ModeTightened,
  readSnapshot,
  tempBeside,
} from './file-io.js';
import { classifyFileName, corruptSuffix, DEFAULT_TOKEN_FILE, namedFileFor } from './file-names.js';
import type { FileStoreWarning } from './options.js';
import { type FileIdentity, identifyFile, parseFileText } from './record-format.js';
import { asStorageError, type FailureContext, storageError } from './store-errors.js';

/**
 * Thrown inside an operation when a file changed between reading and acting on it (another
 * process wrote it): the operation starts over. Never leaves the store.
 */
export class FileChanged extends Error {}

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

/** Marker of a state that could not be read, in {@link TokenFiles.peek}. */
export const UNREADABLE = Symbol('unreadable');

/** Options of {@link createTokenFiles}. */
export interface TokenFilesOptions {
  dir: string;
  clientId: string | undefined;
  clock: Clock;
  warn(warning: FileStoreWarning): void;
}

/** The layout of the token directory: which file holds which key, and how files are read. */
export type TokenFiles = ReturnType<typeof createTokenFiles>;

const ORPHAN = /^upstox_token(\..+)?\.json\.(\d+|(new|del)-\d+-[0-9a-f]+)$/;
/** Age after which a temp file left by a killed writer is removed, in ms. */
const ORPHAN_AGE_MS = 60_000;

const octal = (mode: number) => `0${mode.toString(8)}`;

/** Creates the file-layout helpers of one store instance. */
export function createTokenFiles(options: TokenFilesOptions) {
  const { dir, clientId, clock } = options;
  const defaultPath = join(dir, DEFAULT_TOKEN_FILE);
  /** Key -> the file it was last found in (a hint, always verified). */
  const hints = new Map<string, string>();
  const warned = new Set<string>();

  const tightened: ModeTightened = (path, oldMode, newMode) =>
    options.warn({
      code: 'mode-tightened',
      message: `${path} had mode ${octal(oldMode)} (readable by others); set it to ${octal(newMode)}`,
      path,
      mode: oldMode,
    });

  const warnOnce = (warning: FileStoreWarning) => {
    const id = `${warning.code}\0${warning.path}`;
    if (warned.has(id)) return;
    warned.add(id);
    options.warn(warning);
  };

  function namedPath(key: string): string {
    const parsed = parseAccountKey(key);
    if (!parsed) {
      throw new InputError('key must be an account key upstox:<client_id>:<user_id>', {
        details: { argument: 'key' },
      });
    }
    return join(dir, namedFileFor(parsed.clientId, parsed.userId));
  }

  async function dirState(context: FailureContext): Promise<DirState> {
    try {
      return await checkDirectory(dir, tightened);
    } catch (error) {
      throw asStorageError(error, 'use the token directory', dir, context);
    }
  }

  async function ensureDir(context: FailureContext): Promise<void> {
    try {
      await ensureDirectory(dir, tightened);
    } catch (error) {
      throw asStorageError(error, 'create the token directory', dir, context);
    }
  }

  async function read(path: string, context: FailureContext): Promise<FileSnapshot | undefined> {
    try {
      return await readSnapshot(path, tightened);
    } catch (error) {
      throw asStorageError(error, 'read', path, context);
    }
  }

  async function asideName(path: string): Promise<string> {
    const base = `${path}.${corruptSuffix(clock.now())}`;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`;
      try {
        await lstat(candidate);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return candidate;
        throw error;
      }
    }
  }

  /**
   * Moves a corrupt file to `<name>.corrupt-<timestamp>` (only if it is still the file that was
   * read) and returns the new path. @throws FileChanged when another writer replaced it.
   */
  async function moveAside(snapshot: FileSnapshot, why: string, context: FailureContext): Promise<string> {
    let aside = `${snapshot.path}.corrupt-*`;
    try {
      aside = await asideName(snapshot.path);
      const outcome = await detachIfSame(snapshot, aside);
      if (outcome !== 'detached') throw new FileChanged();
      await fsyncDir(dir);
      return aside;
    } catch (error) {
      if (error instanceof FileChanged) throw error;
      const code = (error as { code?: string }).code ?? String(error);
      throw storageError(
        `${snapshot.path} is corrupt (${why}) and could not be moved aside to ${aside} (${code})`,
        { ...context, paths: [snapshot.path, aside] },
        { code: ErrorCodes.STORAGE_CORRUPT, cause: error },
      );
    }
  }

  /** Moves a corrupt file aside and returns the `HFT_STORAGE_CORRUPT` error to throw. */
  async function corrupt(snapshot: FileSnapshot, cause: unknown, context: FailureContext): Promise<Error> {
    const why = cause instanceof Error ? cause.message : String(cause);
    const aside = await moveAside(snapshot, why, context);
    return storageError(
      `${snapshot.path} is corrupt (${why}); moved it to ${aside}. The next save writes a fresh file`,
      { ...context, paths: [snapshot.path, aside] },
      { code: ErrorCodes.STORAGE_CORRUPT, cause },
    );
  }

  function identifyText(text: string) {
    const file = parseFileText(text);
    return { file, identity: identifyFile(file, clientId) };
  }

  /** Parses and identifies a file; a corrupt one is moved aside and reported (thrown). */
  async function identify(snapshot: FileSnapshot, context: FailureContext) {
    try {
      return identifyText(snapshot.text);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw await corrupt(snapshot, error, context);
    }
  }

  function unattributed(path: string): void {
    warnOnce({
      code: 'legacy-unattributed',
      message: `${path} does not say which account it belongs to (a file of the original Python module records no client id); pass the clientId option to read it`,
      path,
    });
  }

  function foreign(path: string, fileKey: string): void {
    warnOnce({
      code: 'foreign-file',
      message: `${path} holds the record of ${fileKey}, not of the account its name spells; ignored`,
      path,
    });
  }

  function collision(path: string, key: string, fileKey: string, context: FailureContext): Error {
    return storageError(
      `${path} should hold ${key} but holds ${fileKey} (a copied file, or a case-insensitive file system); move it away`,
      { ...context, paths: [path] },
    );
  }

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
      const snapshot = await read(hint, context);
      if (snapshot) {
        const { file, identity } = await identify(snapshot, context);
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
    if ((await dirState(context)) === 'missing') return undefined;
    const own = await read(ownPath, context);
    if (own) {
      const { file, identity } = await identify(own, context);
      const fileKey = identity.key ?? key;
      if (fileKey !== key) throw collision(ownPath, key, fileKey, context);
      return { ...own, file, identity: { ...identity, key }, isDefault: false };
    }
    const shared = await read(defaultPath, context);
    if (!shared) return undefined;
    const { file, identity } = await identify(shared, context);
    if (identity.key === undefined) {
      unattributed(defaultPath);
      return undefined;
    }
    return identity.key === key ? { ...shared, file, identity, isDefault: true } : undefined;
  }

  async function hasTokenFiles(context: FailureContext): Promise<boolean> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      throw asStorageError(error, 'list', dir, context);
    }
    return names.some((name) => classifyFileName(name).kind !== 'other');
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
    check?: (snapshot: FileSnapshot, identity: FileIdentity) => void,
  ): Promise<WriteTarget> {
    const ownPath = namedPath(key);
    const own = await read(ownPath, context);
    if (own) {
      let identity: FileIdentity;
      try {
        identity = identifyText(own.text).identity;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        const aside = await moveAside(own, error.message, context);
        options.warn({
          code: 'corrupt-replaced',
          message: `${ownPath} was corrupt (${error.message}); moved it to ${aside} and wrote a fresh file`,
          path: ownPath,
        });
        return { kind: 'replace', path: ownPath };
      }
      const fileKey = identity.key ?? key;
      if (fileKey !== key) throw collision(ownPath, key, fileKey, context);
      check?.(own, identity);
      return { kind: 'replace', path: ownPath };
    }
    const shared = await read(defaultPath, context);
    if (shared) {
      let identity: FileIdentity | undefined;
      try {
        identity = identifyText(shared.text).identity;
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
    if (await hasTokenFiles(context)) return { kind: 'replace', path: ownPath, fresh: true };
    return { kind: 'claim', path: defaultPath, fallback: ownPath };
  }

  /**
   * Every account key with a file, read from the files themselves.
   * @throws StorageError (unreadable dir or file; a corrupt file is moved aside); FileChanged.
   */
  async function listKeys(context: FailureContext): Promise<string[]> {
    if ((await dirState(context)) === 'missing') return [];
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      throw asStorageError(error, 'list', dir, context);
    }
    const keys = new Set<string>();
    for (const name of names.sort()) {
      const kind = classifyFileName(name);
      if (kind.kind === 'other') continue;
      const path = join(dir, name);
      const snapshot = await read(path, context);
      if (!snapshot) continue;
      const { identity } = await identify(snapshot, context);
      if (kind.kind === 'named') {
        const fileKey = identity.key ?? kind.key;
        if (fileKey === kind.key) keys.add(kind.key);
        else foreign(path, fileKey);
      } else if (identity.key === undefined) {
        unattributed(path);
      } else {
        keys.add(identity.key);
      }
    }
    return [...keys];
  }

  function peekFrom(key: string, own: string | undefined, shared: string | undefined): string | undefined {
    if (own !== undefined) return `own\n${own}`;
    if (shared === undefined) return undefined;
    return identifyText(shared).identity.key === key ? `default\n${shared}` : undefined;
  }

  function readTextSync(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async function readText(path: string): Promise<string | undefined> {
    const snapshot = await readSnapshot(path, tightened);
    return snapshot?.text;
  }

  /**
   * The raw state of `key` for change detection: the text of the file holding it, `undefined`
   * when none does, {@link UNREADABLE} when that cannot be told right now. Never throws and
   * never moves anything.
   */
  async function peek(key: string): Promise<string | undefined | typeof UNREADABLE> {
    try {
      const own = await readText(namedPath(key));
      return peekFrom(key, own, own === undefined ? await readText(defaultPath) : undefined);
    } catch {
      return UNREADABLE;
    }
  }

  /** {@link peek}, synchronously: a watch takes its first snapshot before `watch()` returns. */
  function peekSync(key: string): string | undefined | typeof UNREADABLE {
    try {
      const own = readTextSync(namedPath(key));
      return peekFrom(key, own, own === undefined ? readTextSync(defaultPath) : undefined);
    } catch {
      return UNREADABLE;
    }
  }

  /**
   * Removes temp files left by writers that were killed mid-write, once they are older than a
   * minute; `reference` is the path of a file just written, whose mtime stands for "now" on the
   * file system's own clock.
   */
  async function sweepOrphans(reference: string): Promise<void> {
    try {
      const now = (await stat(reference)).mtimeMs;
      for (const name of readdirSync(dir)) {
        if (!ORPHAN.test(name)) continue;
        const path = join(dir, name);
        const info = await lstat(path).catch(() => undefined);
        if (info?.isFile() && now - info.mtimeMs > ORPHAN_AGE_MS) await unlink(path).catch(() => {});
      }
    } catch {
      // Housekeeping only: the write it follows already succeeded.
    }
  }

  return {
    dir,
    defaultPath,
    namedPath,
    dirState,
    ensureDir,
    read,
    identify,
    corrupt,
    locate,
    writeTarget,
    listKeys,
    peek,
    peekSync,
    sweepOrphans,
    tightened,
    /** A unique name beside `path` for moving a file out of the way before removing it. */
    asideFor: (path: string) => tempBeside(path, 'del'),
  };
}
