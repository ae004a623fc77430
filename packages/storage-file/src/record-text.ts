// A record as the text of its file and back, through auth-core's shared record codec with the
// file layout adapter (`file-record-format.ts`): the codec owns every encryption rule (sealing,
// refusing plain records when a key is set, never replacing a record it cannot open).
import {
  createRecordCodec,
  type RecordCipher,
  type RecordCodec,
  type TokenRecord,
} from '@hft/auth-core/store';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import type { FileSnapshot } from './file-io.js';
import { fileRecordFormat } from './file-record-format.js';
import type { Located, OverwriteCheck } from './placement.js';
import type { Quarantine } from './quarantine.js';
import type { FileIdentity } from './record-format.js';
import { BACKEND, type FailureContext } from './store-errors.js';

/** The codec of a file store with `cipher` (or none). */
export function fileCodec(cipher: RecordCipher | undefined): RecordCodec {
  return createRecordCodec({ backend: BACKEND, format: fileRecordFormat, ...(cipher ? { cipher } : {}) });
}

/**
 * The record in a file found for `key`.
 * @throws StorageError `HFT_STORAGE_WRONG_KEY` (sealed, no or another key),
 *   `HFT_STORAGE_UNSEALED` (plain while a key is set), `HFT_STORAGE_TAMPERED`, an unknown format
 *   version, or `HFT_STORAGE_CORRUPT` (the file was moved aside).
 */
export async function decodeRecord(
  found: Located,
  key: string,
  context: FailureContext,
  codec: RecordCodec,
  quarantine: Quarantine,
): Promise<TokenRecord> {
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
      if (error.cause instanceof InputError) throw await quarantine.corrupt(found, error.cause, context);
    }
    throw error;
  }
}

/** The check a `set` of `key` makes on the file it would replace: a sealed record it cannot open stays. */
export function overwriteCheck(codec: RecordCodec, key: string): OverwriteCheck {
  return (found: FileSnapshot, identity: FileIdentity) =>
    codec.checkOverwrite(key, found.text, {
      label: found.path,
      details: { paths: [found.path] },
      sealed: identity.sealed,
      operation: 'set',
    });
}
