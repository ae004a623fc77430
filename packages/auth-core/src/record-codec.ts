import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { isSealed, type RecordCipher } from './crypto/record-cipher.js';
import type { TokenRecord } from './token-record.js';
import { assertTokenRecord } from './token-record-check.js';

/** Turns records into the strings a backend stores, and back, with optional encryption. */
export interface RecordCodec {
  /** Serialises (and seals, when a cipher is set) `record` stored under `key`. */
  encode(key: string, record: TokenRecord): string;
  /**
   * Parses (and opens) what the backend returned for `key`. Plain and sealed values are told
   * apart, so turning encryption on migrates each record at its next save.
   * @throws StorageError `HFT_STORAGE_CORRUPT` (not a valid record), `HFT_STORAGE_WRONG_KEY`,
   *   `HFT_STORAGE_TAMPERED`, or `HFT_STORAGE_WRONG_KEY` for a sealed value with no cipher set.
   */
  decode(key: string, text: string): TokenRecord;
}

/** Options of {@link createRecordCodec}. */
export interface RecordCodecOptions {
  /** Backend name for error messages. */
  backend: string;
  /** Encrypt records at rest. */
  cipher?: RecordCipher;
}

/** The JSON codec shared by the keyv-based stores (camelCase record, as in memory). */
export function createRecordCodec(options: RecordCodecOptions): RecordCodec {
  const { backend, cipher } = options;
  return {
    encode(key, record) {
      const json = JSON.stringify(record);
      return cipher ? cipher.seal(json, key) : json;
    },
    decode(key, text) {
      let json = text;
      if (isSealed(text)) {
        if (!cipher) {
          throw new StorageError(
            `${backend} store: the record for ${key} is encrypted but no key is configured (set HFT_MASTER_KEY or HFT_MASTER_PASSPHRASE)`,
            { backend, code: ErrorCodes.STORAGE_WRONG_KEY, details: { backend, operation: 'get', key } },
          );
        }
        json = cipher.open(text, key, { backend, key });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
        assertTokenRecord(parsed, 'stored record');
      } catch (error) {
        const why = error instanceof InputError ? error.message : 'it is not valid JSON';
        throw new StorageError(`${backend} store: the record for ${key} is unreadable: ${why}`, {
          backend,
          code: ErrorCodes.STORAGE_CORRUPT,
          // V8's SyntaxError quotes the text around the fault, which may be part of a token.
          ...(error instanceof InputError ? { cause: error } : {}),
          details: { backend, operation: 'get', key },
        });
      }
      return parsed;
    },
  };
}
