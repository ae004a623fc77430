// A record as the text of its file and back: plain JSON, or a sealed envelope when the store
// has a cipher, checked against the format version and the key it is read for.
import type { RecordCipher, TokenRecord } from '@hft/auth-core/store';
import { ErrorCodes, InputError } from '@hft/errors';
import { invalid } from './check-options.js';
import type { Located } from './placement.js';
import type { Quarantine } from './quarantine.js';
import { FORMAT_VERSION, fromFileObject, parseFileText, toFileObject } from './record-format.js';
import { BACKEND, type FailureContext, storageError } from './store-errors.js';

/** The file text of `record` stored under `key`, sealed with `cipher` when there is one. */
export function encodeRecord(key: string, record: TokenRecord, cipher: RecordCipher | undefined): string {
  const plain = toFileObject(record);
  if (!cipher) return `${JSON.stringify(plain, null, 2)}\n`;
  const envelope = JSON.parse(cipher.seal(JSON.stringify(plain), key)) as Record<string, unknown>;
  // The key stays readable beside the envelope so the store can tell whose file it is without
  // the cipher; it is also the envelope's additional data, so editing it breaks the seal.
  return `${JSON.stringify({ ...envelope, account_key: key }, null, 2)}\n`;
}

/**
 * The record in a file found for `key`.
 * @throws StorageError `HFT_STORAGE_WRONG_KEY` (sealed, no cipher), the cipher's errors, an
 *   unknown format version, or `HFT_STORAGE_CORRUPT` (the file was moved aside).
 */
export async function decodeRecord(
  found: Located,
  key: string,
  context: FailureContext,
  cipher: RecordCipher | undefined,
  quarantine: Quarantine,
): Promise<TokenRecord> {
  let file = found.file;
  if (found.identity.sealed) {
    if (!cipher) {
      throw storageError(
        `${found.path} is encrypted but no key is configured (set HFT_MASTER_KEY or HFT_MASTER_PASSPHRASE)`,
        { ...context, paths: [found.path] },
        { code: ErrorCodes.STORAGE_WRONG_KEY },
      );
    }
    const plaintext = cipher.open(found.text, key, { backend: BACKEND, key });
    try {
      file = parseFileText(plaintext);
    } catch (error) {
      throw await quarantine.corrupt(found, error, context);
    }
  }
  const version = file.version;
  if (version !== undefined && version !== FORMAT_VERSION) {
    throw storageError(
      `${found.path} is in format version ${String(version)}, which this version of @hft/storage-file does not know (it writes ${FORMAT_VERSION}); upgrade it`,
      { ...context, paths: [found.path] },
    );
  }
  try {
    if (file.account_key !== undefined && file.account_key !== key) {
      throw invalid('account_key', `the key of the file (${key})`);
    }
    return fromFileObject(file, key);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw await quarantine.corrupt(found, error, context);
  }
}
