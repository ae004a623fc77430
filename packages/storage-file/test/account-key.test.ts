import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, type StorageError } from '@hft/errors';
import { sampleRecord } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './helpers/temp-dir.js';

describe('a token file whose account_key does not match its client_id / user_id', () => {
  const t = useTempDir();

  it('is a corrupt record naming accountKey, never served as the account it names', async () => {
    const store = t.open();
    const victim = sampleRecord({ userId: 'VICTIM1' });
    const other = sampleRecord({ userId: 'OTHER1' });
    await store.set(victim.accountKey, victim);
    await store.set(other.accountKey, other);
    // A planted file: the victim's key, another user's identity and token.
    const path = join(t.dir, 'upstox_token.conformance-client.OTHER1.json');
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(file.account_key).toBe(other.accountKey);
    await writeFile(
      path,
      JSON.stringify({ ...file, user_id: 'ATTACK1', access_token: 'planted-access-token' }),
    );

    const err = (await store.get(other.accountKey).then(
      (value) => {
        throw new Error(`expected a failure, got ${typeof value}`);
      },
      (error: unknown) => error,
    )) as StorageError;
    expect(err.code).toBe(ErrorCodes.STORAGE_CORRUPT);
    expect(err.message).toContain('accountKey');
    expect(err.message).not.toContain('planted-access-token');
    expect(await store.get(victim.accountKey)).toEqual(victim);
  });
});
