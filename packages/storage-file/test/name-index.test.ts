import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAccount } from '@hft/auth-core';
import { sampleRecord } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './helpers/temp-dir.js';

const t = useTempDir();

describe('file store name index', () => {
  it('finds a named account in two small reads, and repairs entries older versions never wrote', async () => {
    const store = t.open();
    const records = Array.from({ length: 6 }, (_, i) =>
      sampleRecord({ userId: `NX${i}`, accountName: `desk-${i}` }),
    );
    for (const r of records) await store.set(r.accountKey, r);
    const names = join(t.dir, '.names');
    expect(readdirSync(names).sort()).toEqual(records.map((_, i) => `desk-${i}`));
    for (const entry of readdirSync(names)) expect(statSync(join(names, entry)).mode & 0o777).toBe(0o600);
    expect((await store.accountNamed?.('desk-4'))?.key).toBe(records[4]!.accountKey);

    // As a directory written by a version before the index: no entries at all.
    rmSync(names, { recursive: true });
    const fresh = t.open();
    expect(await fresh.accountNamed?.('desk-4')).toBeUndefined();
    // Resolution still finds it (through the listing), and the listing wrote the entries back.
    expect(await resolveAccount(fresh, records[4]!.clientId, 'desk-4')).toEqual({
      key: records[4]!.accountKey,
    });
    expect(readdirSync(names).sort()).toEqual(records.map((_, i) => `desk-${i}`));
    expect(await resolveAccount(fresh, records[4]!.clientId, 'desk-4')).toEqual({
      key: records[4]!.accountKey,
      record: records[4],
    });
  });
});
