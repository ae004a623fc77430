import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountKey,
  createMemoryBackend,
  createMemoryTokenStore,
  createRecordCipher,
  type TokenRecord,
} from '@hft/auth-core/store';
import { describe, expect, it } from 'vitest';
import { keepForRecovery, storeRecovered } from '../src/login-recovery.js';

function record(issuedAt: number, token: string): TokenRecord {
  return {
    accountKey: accountKey('cid', 'AB1'),
    clientId: 'cid',
    userId: 'AB1',
    exchanges: [],
    products: [],
    orderTypes: [],
    tokens: { daily: { token, issuedAt, expiresAt: issuedAt + 3_600_000, source: 'oauth' } },
  };
}

describe('a login the store refused is kept and stored by the next run', () => {
  it('keeps it 0600 (sealed with a key), then stores it once the store works, and removes the file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hft-recovery-'));
    const cipher = createRecordCipher({ key: Buffer.alloc(32, 7).toString('base64') });
    const kept = record(Date.now(), 'recovered-token-1234567890');
    const said = await keepForRecovery(home, kept, cipher);
    expect(said).toContain('the next hft command stores it');
    const [name] = readdirSync(join(home, 'recovery'));
    const path = join(home, 'recovery', name!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path, 'utf8')).not.toContain(kept.tokens.daily!.token);

    const backend = createMemoryBackend();
    backend.failWith(new Error('disk full'));
    const store = createMemoryTokenStore({ backend });
    const failed = await storeRecovered(home, store, cipher);
    expect(failed[0]).toContain('could not store the login kept in');
    expect(readdirSync(join(home, 'recovery'))).toHaveLength(1);

    backend.failWith(undefined);
    const stored = await storeRecovered(home, store, cipher);
    expect(stored[0]).toContain('stored the login kept in');
    expect((await store.get(kept.accountKey))?.tokens.daily?.token).toBe(kept.tokens.daily!.token);
    expect(readdirSync(join(home, 'recovery'))).toHaveLength(0);
    expect(await storeRecovered(home, store, cipher)).toEqual([]);
  });

  it('a kept login older than the stored token does not replace it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hft-recovery-'));
    const store = createMemoryTokenStore();
    const newer = record(Date.now(), 'newer-token-1234567890');
    await store.set(newer.accountKey, newer);
    await keepForRecovery(
      home,
      record(newer.tokens.daily!.issuedAt - 60_000, 'older-token-1234567890'),
      undefined,
    );
    const notes = await storeRecovered(home, store, undefined);
    expect(notes[0]).toContain('older than the stored token');
    expect((await store.get(newer.accountKey))?.tokens.daily?.token).toBe(newer.tokens.daily!.token);
  });
});
