import type { DecodeContext, RecordFormat, TokenRecord } from '@hft/auth-core/store';
import { InputError } from '@hft/errors';
import {
  FORMAT_VERSION,
  fromFileObject,
  parseFileText,
  READABLE_VERSIONS,
  toFileObject,
} from './record-format.js';
import { storageError } from './store-errors.js';

/**
 * The file store's layout for the shared record codec of `@hft/auth-core`: snake_case objects of
 * the original token file (see `record-format.ts`), pretty-printed with a final newline. A sealed
 * file is the envelope with `account_key` beside it, so the store can tell whose file it is
 * without the key; that key is also the envelope's additional data, so editing it breaks the seal.
 * The codec owns every encryption rule; this adapter only lays out text.
 */
export const fileRecordFormat: RecordFormat = {
  plain: (_key, record: TokenRecord) => `${JSON.stringify(toFileObject(record), null, 2)}\n`,
  sealedPayload: (_key, record: TokenRecord) => JSON.stringify(toFileObject(record)),
  wrapSealed(key, envelope) {
    const sealed = JSON.parse(envelope) as Record<string, unknown>;
    return `${JSON.stringify({ ...sealed, account_key: key }, null, 2)}\n`;
  },
  parse(key, text, context: DecodeContext) {
    const file = context.parsed ?? parseFileText(text);
    const version = file.version;
    if (version !== undefined && !READABLE_VERSIONS.includes(version as number)) {
      const paths = context.details?.paths as readonly string[] | undefined;
      throw storageError(
        `${context.label ?? key} is in format version ${String(version)}, which this version of @hft/storage-file does not know (it writes ${FORMAT_VERSION}); upgrade it`,
        { operation: context.operation ?? 'get', key, ...(paths ? { paths } : {}) },
      );
    }
    if (file.account_key !== undefined && file.account_key !== key) {
      throw new InputError(`account_key must be the key of the file (${key})`, {
        details: { argument: 'account_key' },
      });
    }
    return fromFileObject(file, key);
  },
};
