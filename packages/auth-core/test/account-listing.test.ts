import { describe, expect, it } from 'vitest';
import {
  createMemoryBackend,
  createMemoryTokenStore,
  listAccounts,
  namesOf,
  resolveAccount,
} from '../src/index.js';
import { CLIENT, recordFor } from './helpers.js';

describe('account listing and resolution from summaries', () => {
  it('resolves a name with one listing and no record read, and caps every message at five accounts', async () => {
    const backend = createMemoryBackend();
    const store = createMemoryTokenStore({ backend });
    for (let i = 0; i < 12; i += 1) {
      const record = recordFor(`U${String(i).padStart(2, '0')}`, { accountName: `acct-${i}` });
      await store.set(record.accountKey, record);
    }
    const readsBefore = backend.reads;
    expect(await resolveAccount(store, CLIENT, 'acct-7')).toEqual({ key: recordFor('U07').accountKey });
    expect(backend.reads).toBe(readsBefore);
    const listed = await listAccounts(store, CLIENT);
    expect(listed.map((a) => a.key)).toEqual([...listed.map((a) => a.key)].sort());
    expect(JSON.stringify(listed)).not.toContain('token-U');
    const names = namesOf(listed);
    expect(names).toBe('acct-0, acct-1, acct-2, acct-3, acct-4 and 7 more; see hft accounts');
    const error = await resolveAccount(store, CLIENT).catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain(`12 accounts are stored for client ${CLIENT}`);
    expect((error as Error).message).toContain('and 7 more; see hft accounts');
    expect((error as Error).message).not.toContain('acct-11');
  });
});
