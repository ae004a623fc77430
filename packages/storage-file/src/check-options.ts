// Checks of the store's options and arguments: each mistake is an InputError naming the argument.
import { parseAccountKey } from '@hft/auth-core/store';
import { InputError } from '@hft/errors';
import type { FileTokenStoreOptions } from './options.js';

/** The `InputError` for an argument that is not what it must be. */
export function invalid(argument: string, expected: string): InputError {
  return new InputError(`${argument} must be ${expected}`, { details: { argument } });
}

/** @throws InputError naming the first option of {@link FileTokenStoreOptions} that is invalid. */
export function checkOptions(options: FileTokenStoreOptions): void {
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

/** @throws InputError unless `key` is an account key `upstox:<client_id>:<user_id>`. */
export function assertAccountKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !parseAccountKey(key)) {
    throw invalid('key', 'an account key upstox:<client_id>:<user_id>');
  }
}
