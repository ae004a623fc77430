// Which account a token file holds, and the warnings and errors for a file that holds no
// account or another one than its name spells.
import { InputError } from '@hft/errors';
import type { FileSnapshot } from './file-io.js';
import type { FileStoreWarning } from './options.js';
import type { Quarantine } from './quarantine.js';
import { type FileIdentity, identifyFile, parseFileText } from './record-format.js';
import { type FailureContext, storageError } from './store-errors.js';

/** Options of {@link createFileOwner}. */
export interface FileOwnerOptions {
  /** Client id that attributes files of the original Python module (see the store option). */
  clientId: string | undefined;
  /** Moves a corrupt file aside. */
  quarantine: Quarantine;
  /** Receives the store's warnings. */
  warn(warning: FileStoreWarning): void;
}

/** A parsed token file and the account it holds. */
export interface Identified {
  file: Record<string, unknown>;
  identity: FileIdentity;
}

/** Tells whose a file is (see {@link createFileOwner}). */
export type FileOwner = ReturnType<typeof createFileOwner>;

/** Creates the file-ownership checks of one store. */
export function createFileOwner(options: FileOwnerOptions) {
  const { clientId, quarantine } = options;
  const warned = new Set<string>();

  const warnOnce = (warning: FileStoreWarning) => {
    const id = `${warning.code}\0${warning.path}`;
    if (warned.has(id)) return;
    warned.add(id);
    options.warn(warning);
  };

  /** Parses and identifies file text. @throws InputError when it is not a token file. */
  function identifyText(text: string): Identified {
    const file = parseFileText(text);
    return { file, identity: identifyFile(file, clientId) };
  }

  /** Parses and identifies a file; a corrupt one is moved aside and reported (thrown). */
  async function identify(snapshot: FileSnapshot, context: FailureContext): Promise<Identified> {
    try {
      return identifyText(snapshot.text);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw await quarantine.corrupt(snapshot, error, context);
    }
  }

  /** Reports (once) a file of the original module that no `clientId` attributes. */
  function unattributed(path: string): void {
    warnOnce({
      code: 'legacy-unattributed',
      message: `${path} does not say which account it belongs to (a file of the original Python module records no client id); pass the clientId option to read it`,
      path,
    });
  }

  /** Reports (once) a per-account file holding another account. */
  function foreign(path: string, fileKey: string): void {
    warnOnce({
      code: 'foreign-file',
      message: `${path} holds the record of ${fileKey}, not of the account its name spells; ignored`,
      path,
    });
  }

  /** The error for the own file of `key` holding `fileKey` instead. */
  function collision(path: string, key: string, fileKey: string, context: FailureContext): Error {
    return storageError(
      `${path} should hold ${key} but holds ${fileKey} (a copied file, or a case-insensitive file system); move it away`,
      { ...context, paths: [path] },
    );
  }

  return { identifyText, identify, unattributed, foreign, collision };
}
