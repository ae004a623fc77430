// Checks of the store's options and arguments, with the shared argument checks of
// `@hft/errors/assert`: each mistake is an InputError naming the argument.
import { parseAccountKey } from '@hft/auth-core/store';
import {
  assertFiniteNumber,
  assertFunction,
  assertMatches,
  assertNonEmptyString,
  assertOptional,
  assertPlainObject,
  describeType,
  invalidArgument,
} from '@hft/errors/assert';
import type { FileTokenStoreOptions } from './options.js';

const ACCOUNT_KEY = 'an account key upstox:<client_id>:<user_id>';

/** @throws InputError naming the first option of {@link FileTokenStoreOptions} that is invalid. */
export function checkOptions(options: FileTokenStoreOptions): void {
  assertPlainObject(options, 'options');
  assertNonEmptyString(options.dir, 'options.dir', 'a non-empty directory path');
  const { clientId, cipher, onWarning, watchDebounceMs, clock } = options;
  if (clientId !== undefined)
    assertMatches(clientId, 'options.clientId', /^[^:]+$/, 'a non-empty string without ":"');
  if (cipher !== undefined && (typeof cipher?.seal !== 'function' || typeof cipher.open !== 'function')) {
    throw invalidArgument('options.cipher', 'a RecordCipher (see createRecordCipher)', {
      got: describeType(cipher),
    });
  }
  assertOptional(onWarning, 'options.onWarning', assertFunction);
  if (watchDebounceMs !== undefined) {
    assertFiniteNumber(watchDebounceMs, 'options.watchDebounceMs', {
      min: 0,
      expected: 'a finite number of milliseconds >= 0',
    });
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw invalidArgument('options.clock', 'an object with a now() method', { got: describeType(clock) });
  }
}

/** @throws InputError unless `key` is an account key `upstox:<client_id>:<user_id>`. */
export function assertAccountKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !parseAccountKey(key)) {
    throw invalidArgument('key', ACCOUNT_KEY, {
      got: typeof key === 'string' && key !== '' ? 'a string of another form' : describeType(key),
    });
  }
}
