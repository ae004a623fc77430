import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import { assertTokenRecord, createMemoryTokenStore, createRecordCodec } from '../src/store.js';
import { recordFor } from './helpers.js';

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('assertTokenRecord: accountKey against clientId and userId', () => {
  it('accepts a record whose key is upstox:<clientId>:<userId>', () => {
    expect(() => assertTokenRecord(recordFor('AB1234'))).not.toThrow();
  });

  it.each([
    ['another user', { accountKey: 'upstox:test-client:VICTIM1' }],
    ['another client', { accountKey: 'upstox:other-client:AB1234' }],
    ['the user id changed under the key', { userId: 'ATTACK1' }],
    ['the client id changed under the key', { clientId: 'other-client' }],
    ['a key that is not an account key', { accountKey: 'AB1234' }],
    ['a key with a different case', { accountKey: 'upstox:test-client:ab1234' }],
  ])('refuses %s with an InputError naming accountKey', (_, change) => {
    const error = thrown(() => assertTokenRecord({ ...recordFor('AB1234'), ...change }, 'stored record'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(
      /^stored record\.accountKey must be upstox:<clientId>:<userId>/,
    );
    expect((error as InputError).details).toEqual({ argument: 'stored record.accountKey' });
    expect((error as InputError).message).not.toContain('token-');
  });

  it('a store refuses to set a record whose key names another account', async () => {
    const store = createMemoryTokenStore();
    const record = { ...recordFor('ATTACK1'), accountKey: 'upstox:test-client:VICTIM1' };
    await expect(store.set(record.accountKey, record)).rejects.toMatchObject({
      code: ErrorCodes.INPUT_INVALID,
      details: { argument: 'record.accountKey' },
    });
    expect(await store.list()).toEqual([]);
  });

  it('a planted record with a mismatched key is corrupt on read, not served', () => {
    const codec = createRecordCodec({ backend: 'test' });
    const planted = JSON.stringify({ ...recordFor('ATTACK1'), accountKey: 'upstox:test-client:VICTIM1' });
    const error = thrown(() => codec.decode('upstox:test-client:VICTIM1', planted));
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(ErrorCodes.STORAGE_CORRUPT);
    expect((error as StorageError).message).toContain('stored record.accountKey');
    expect((error as StorageError).message).not.toContain('token-ATTACK1');
  });
});
