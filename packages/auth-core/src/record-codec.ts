import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { isSealed, type RecordCipher } from './crypto/record-cipher.js';
import { upgradeRecord } from './record-upgrade.js';
import { type TokenRecord, withVersion } from './token-record.js';
import { assertTokenRecord } from './token-record-check.js';

/**
 * How a backend lays out the plain text of a record. The codec owns encryption and its rules
 * (plain records refused when a cipher is set, sealed records never overwritten by a writer that
 * cannot open them); a format only turns records into text and back.
 */
export interface RecordFormat {
  /** The stored text of `record` when no cipher is set. */
  plain(key: string, record: TokenRecord): string;
  /** The text sealed for `record` when a cipher is set. Default: {@link plain}. */
  sealedPayload?(key: string, record: TokenRecord): string;
  /** The stored text around a sealed envelope (what `seal` returned). Default: the envelope as is. */
  wrapSealed?(key: string, envelope: string): string;
  /**
   * Reads the record stored under `key` from plain `text` (as stored, or as opened from an
   * envelope). `context.parsed` is the text already parsed as JSON, when the caller has it.
   * @throws InputError naming what is wrong (reported as `HFT_STORAGE_CORRUPT`); a
   *   `StorageError` it throws passes through unchanged.
   */
  parse(key: string, text: string, context: DecodeContext): TokenRecord;
}

/**
 * The format of the keyv-based stores: the record as JSON, camelCase, as in memory. Records of
 * older versions (one flat access token) are upgraded when read.
 */
export const jsonRecordFormat: RecordFormat = {
  plain: (_key, record) => JSON.stringify(withVersion(record)),
  parse(_key, text, context) {
    let value: unknown = context.parsed;
    if (value === undefined) {
      try {
        value = JSON.parse(text);
      } catch {
        throw new InputError('it is not valid JSON', { details: { argument: 'stored record' } });
      }
    }
    value = upgradeRecord(value);
    assertTokenRecord(value, 'stored record');
    return value;
  },
};

/** Where a stored value came from, for messages and for skipping work the caller already did. */
export interface DecodeContext {
  /** What to call the value in messages. Default `the record for <key>`. */
  label?: string;
  /** Extra fields for the error's `details` (e.g. `paths`). */
  details?: Record<string, unknown>;
  /** Whether the text is a sealed envelope, when the caller already knows. */
  sealed?: boolean;
  /** The text already parsed as JSON (plain values only), when the caller has it. */
  parsed?: Record<string, unknown>;
  /** The operation for error details. Default `get`. */
  operation?: string;
}

/** Turns records into the strings a backend stores, and back, with optional encryption. */
export interface RecordCodec {
  /** Whether records are sealed (a cipher is set). */
  readonly sealing: boolean;
  /** Serialises (and seals, when a cipher is set) `record` stored under `key`. */
  encode(key: string, record: TokenRecord): string;
  /**
   * Parses (and opens) what the backend returned for `key`. With a cipher set, a plain value is
   * refused unless the cipher has `allowPlaintext` (then it is sealed at its next save).
   * @throws StorageError `HFT_STORAGE_CORRUPT` (not a valid record, the cause attached),
   *   `HFT_STORAGE_UNSEALED` (plain value, cipher set), `HFT_STORAGE_WRONG_KEY` (another key,
   *   or a sealed value with no cipher set), `HFT_STORAGE_TAMPERED`.
   */
  decode(key: string, text: string, context?: DecodeContext): TokenRecord;
  /**
   * Checks, before a write, that the value the backend holds for `key` now (`undefined`: none)
   * may be replaced: a sealed value must open with the configured key(s), so that a process with
   * a wrong key (or none) never replaces a record that every correctly configured process reads.
   * A plain or tampered value may be replaced (that is how records get sealed or repaired).
   * @throws StorageError `HFT_STORAGE_WRONG_KEY` saying that nothing was written.
   */
  checkOverwrite(key: string, existing: string | undefined, context?: DecodeContext): void;
}

/** Options of {@link createRecordCodec}. */
export interface RecordCodecOptions {
  /** Backend name for error messages. */
  backend: string;
  /** Encrypt records at rest. */
  cipher?: RecordCipher;
  /** Layout of the plain text. Default {@link jsonRecordFormat}. */
  format?: RecordFormat;
}

const FIX_UNSEALED = 'seal it with `hft store seal` (or allow plain records while migrating: allowPlaintext)';

/**
 * The one record codec of every store: the keyv-based stores use it with the JSON format, the
 * file store with its snake_case format; the encryption rules live here and in the cipher only.
 */
export function createRecordCodec(options: RecordCodecOptions): RecordCodec {
  const { backend, cipher } = options;
  const format = options.format ?? jsonRecordFormat;
  const payload = format.sealedPayload ?? format.plain;

  const error = (
    key: string,
    code: (typeof ErrorCodes)[keyof typeof ErrorCodes],
    message: string,
    context: DecodeContext | undefined,
    cause?: unknown,
  ) =>
    new StorageError(`${backend} store: ${message}`, {
      backend,
      code,
      ...(cause === undefined ? {} : { cause }),
      details: { backend, operation: context?.operation ?? 'get', key, ...context?.details },
    });
  const labelOf = (key: string, context: DecodeContext | undefined) =>
    context?.label ?? `the record for ${key}`;

  const noCipher = (key: string, context: DecodeContext | undefined, suffix = '') =>
    error(
      key,
      ErrorCodes.STORAGE_WRONG_KEY,
      `${labelOf(key, context)} is encrypted but no key is configured (set HFT_MASTER_KEY or HFT_MASTER_PASSPHRASE)${suffix}`,
      context,
    );

  return {
    sealing: cipher !== undefined,
    encode(key, record) {
      if (!cipher) return format.plain(key, record);
      const envelope = cipher.seal(payload(key, record), key);
      return format.wrapSealed ? format.wrapSealed(key, envelope) : envelope;
    },
    decode(key, text, context) {
      const sealed = context?.sealed ?? isSealed(text);
      let plain = text;
      let inner: DecodeContext = context ?? {};
      if (sealed) {
        if (!cipher) throw noCipher(key, context);
        plain = cipher.open(text, key, { backend, key, operation: context?.operation ?? 'get' });
        // What the caller parsed was the envelope, not the record.
        const { parsed: _envelope, ...rest } = inner;
        inner = { ...rest, sealed: false };
      } else if (cipher && !cipher.allowPlaintext) {
        throw error(
          key,
          ErrorCodes.STORAGE_UNSEALED,
          `${labelOf(key, context)} is not encrypted, but a key is configured: refusing to use it; ${FIX_UNSEALED}`,
          context,
        );
      }
      try {
        return format.parse(key, plain, inner);
      } catch (cause) {
        if (cause instanceof StorageError) throw cause;
        const why = cause instanceof InputError ? cause.message : 'it is not valid JSON';
        // V8's SyntaxError quotes the text around the fault, which may be part of a token: it
        // never travels as the cause.
        const safeCause = cause instanceof InputError ? cause : new InputError(why);
        throw error(
          key,
          ErrorCodes.STORAGE_CORRUPT,
          `${labelOf(key, context)} is unreadable: ${why}`,
          context,
          safeCause,
        );
      }
    },
    checkOverwrite(key, existing, context) {
      if (existing === undefined || !(context?.sealed ?? isSealed(existing))) return;
      const nothing = '; nothing was written';
      const writing = { ...context, operation: context?.operation ?? 'set' };
      if (!cipher) throw noCipher(key, writing, nothing);
      try {
        cipher.open(existing, key, { backend, key, operation: writing.operation });
      } catch (cause) {
        if (!(cause instanceof StorageError) || cause.code !== ErrorCodes.STORAGE_WRONG_KEY) return;
        throw error(
          key,
          ErrorCodes.STORAGE_WRONG_KEY,
          `${labelOf(key, context)} is sealed with a key that is not configured here, so it is not replaced${nothing} (configure the key it was sealed with, or rotate with \`hft store rekey\`)`,
          writing,
          cause,
        );
      }
    },
  };
}
