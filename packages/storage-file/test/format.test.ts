import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accountKey } from '@hft/auth-core';
import { ErrorCodes } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { LISTING_DIR } from '../src/file-names.js';
import { DEFAULT_TOKEN_FILE, FORMAT_VERSION } from '../src/index.js';
import { useTempDir } from './helpers/temp-dir.js';

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

/** A token file as the original Python module wrote it: naive IST times with microseconds. */
const pythonFile = {
  access_token: 'legacy-access-token',
  extended_token: null,
  user_id: 'PY1234',
  user_name: 'Old Module',
  email: null,
  broker: 'UPSTOX',
  exchanges: ['NSE', 'BSE'],
  products: ['D', 'I'],
  order_types: ['MARKET', 'LIMIT'],
  user_type: 'individual',
  poa: false,
  is_active: true,
  issued_at: '2025-01-15T10:30:00.123456',
  expires_at: '2025-01-16T03:30:00',
  unknown_broker_field: { kept: [1, 'two'] },
};

describe('file layout and format', () => {
  const t = useTempDir();

  it('creates the directory 0700 and stores the first account as upstox_token.json (0600), in snake_case', async () => {
    const store = t.open();
    const record = sampleRecord({ accountName: 'main' });
    await store.set(record.accountKey, record);
    expect((await stat(t.dir)).mode & 0o777).toBe(0o700);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    expect(DEFAULT_TOKEN_FILE).toBe('upstox_token.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = await readJson(path);
    expect(Object.keys(file)[0]).toBe('version');
    expect(file).toEqual({
      version: FORMAT_VERSION,
      account_key: record.accountKey,
      account_name: 'main',
      client_id: record.clientId,
      access_token: record.tokens.daily!.token,
      extended_token: record.tokens.extended?.token,
      user_id: record.userId,
      user_name: record.userName,
      email: record.email,
      broker: 'UPSTOX',
      exchanges: record.exchanges,
      products: record.products,
      order_types: record.orderTypes,
      user_type: 'individual',
      poa: false,
      is_active: true,
      issued_at: '2026-11-26T09:30:00.123+05:30',
      expires_at: '2026-11-27T03:30:00.000+05:30',
      source: 'oauth',
      // The daily token and the extended token's secret stay flat, where the original file had
      // them; the extended token's own times and every other kind are under `tokens`.
      tokens: {
        extended: {
          issued_at: '2026-11-26T09:30:00.123+05:30',
          expires_at: '2027-11-26T09:30:00.123+05:30',
          source: 'oauth',
        },
      },
      extra: record.extra,
    });
    expect(await store.get(record.accountKey)).toEqual(record);
  });

  it('keeps every kind, and a credential set without a daily token, in the file', async () => {
    const store = t.open();
    const record = sampleRecord();
    delete record.tokens.daily;
    record.tokens.analytics = {
      token: 'analytics-token-1',
      issuedAt: Date.parse('2026-11-20T09:00:00+05:30'),
      expiresAt: Date.parse('2027-11-20T09:00:00+05:30'),
      source: 'console',
    };
    await store.set(record.accountKey, record);
    const file = await readJson(join(t.dir, DEFAULT_TOKEN_FILE));
    expect(file).not.toHaveProperty('access_token');
    expect(file).not.toHaveProperty('issued_at');
    expect(file.extended_token).toBe(record.tokens.extended!.token);
    expect(file.tokens).toEqual({
      extended: expect.objectContaining({ source: 'oauth' }),
      analytics: {
        access_token: 'analytics-token-1',
        issued_at: '2026-11-20T09:00:00.000+05:30',
        expires_at: '2027-11-20T09:00:00.000+05:30',
        source: 'console',
      },
    });
    expect(await t.open().get(record.accountKey)).toEqual(record);
  });

  it('reads a version 1 file (one daily token, an extended token without times) and writes version 2 on the next save', async () => {
    await mkdir(t.dir, { mode: 0o700 });
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    const key = accountKey('v1-client', 'V1USER');
    const v1 = {
      version: 1,
      account_key: key,
      client_id: 'v1-client',
      access_token: 'v1-access-token',
      extended_token: 'v1-extended-token',
      user_id: 'V1USER',
      exchanges: ['NSE'],
      products: ['D'],
      order_types: ['LIMIT'],
      issued_at: '2026-11-26T10:00:00.000+05:30',
      expires_at: '2026-11-27T03:30:00.000+05:30',
      source: 'oauth',
    };
    await writeFile(path, JSON.stringify(v1, null, 2), { mode: 0o600 });
    const store = t.open();
    const record = await store.get(key);
    const issuedAt = Date.parse('2026-11-26T10:00:00+05:30');
    expect(record).toEqual({
      accountKey: key,
      clientId: 'v1-client',
      userId: 'V1USER',
      exchanges: ['NSE'],
      products: ['D'],
      orderTypes: ['LIMIT'],
      tokens: {
        daily: {
          token: 'v1-access-token',
          issuedAt,
          expiresAt: Date.parse('2026-11-27T03:30:00+05:30'),
          source: 'oauth',
        },
        // Not a JWT: a year after the daily token it came with.
        extended: {
          token: 'v1-extended-token',
          issuedAt,
          expiresAt: issuedAt + 365 * 86_400_000,
          source: 'oauth',
        },
      },
    });
    expect(await readJson(path)).toMatchObject({ version: 1 });
    await store.set(key, record!);
    expect(await readJson(path)).toMatchObject({
      version: 2,
      access_token: 'v1-access-token',
      extended_token: 'v1-extended-token',
      tokens: { extended: { expires_at: '2027-11-26T10:00:00.000+05:30' } },
    });
  });

  it('gives every further account its own safely named file, and list() reads the keys from the files', async () => {
    const store = t.open();
    const first = sampleRecord({ userId: 'FIRST1' });
    const odd = sampleRecord({ clientId: 'c.d/../e', userId: 'X Y%' });
    const second = sampleRecord({ userId: 'SECOND2' });
    for (const r of [first, odd, second]) await store.set(r.accountKey, r);
    const names = (await readdir(t.dir)).filter((n) => n !== '.locks' && n !== LISTING_DIR).sort();
    expect(names).toEqual(
      [
        'upstox_token.json',
        'upstox_token.c%2Ed%2F%2E%2E%2Fe.X%20Y%25.json',
        'upstox_token.conformance-client.SECOND2.json',
      ].sort(),
    );
    // Unrelated entries are ignored by list().
    await writeFile(join(t.dir, 'notes.txt'), 'hello');
    await writeFile(join(t.dir, 'upstox_token.json.corrupt-20260101T000000.000Z'), '{');
    await mkdir(join(t.dir, 'upstox_token.a.b.json.d'));
    expect((await store.list()).sort()).toEqual([first.accountKey, odd.accountKey, second.accountKey].sort());
    // A fresh instance resolves the same files.
    const again = t.open();
    expect(await again.get(odd.accountKey)).toEqual(odd);
    expect(await again.get(first.accountKey)).toEqual(first);
    expect(await again.delete(first.accountKey)).toBe(true);
    expect(await readdir(t.dir)).not.toContain('upstox_token.json');
    expect(await again.get(first.accountKey)).toBeUndefined();
  });

  it('never lets two first writers share the default file', async () => {
    const a = t.open();
    const b = t.open();
    const records = Array.from({ length: 6 }, (_, i) => sampleRecord({ userId: `RACE${i}` }));
    await Promise.all(records.map((r, i) => (i % 2 ? a : b).set(r.accountKey, r)));
    const files = (await readdir(t.dir)).filter((n) => n.endsWith('.json'));
    expect(files).toHaveLength(6);
    expect(files).toContain('upstox_token.json');
    for (const r of records) expect(await a.get(r.accountKey)).toEqual(r);
  });

  it('reads a file of the original Python module as IST and rewrites it in the new format on the next save', async () => {
    await mkdir(t.dir, { mode: 0o700 });
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    await writeFile(path, JSON.stringify(pythonFile, null, 4), { mode: 0o600 });
    const store = t.open({ clientId: 'legacy-client' });
    const key = accountKey('legacy-client', 'PY1234');
    expect(await store.list()).toEqual([key]);
    const record = await store.get(key);
    expect(record).toEqual({
      accountKey: key,
      clientId: 'legacy-client',
      userId: 'PY1234',
      userName: 'Old Module',
      broker: 'UPSTOX',
      exchanges: ['NSE', 'BSE'],
      products: ['D', 'I'],
      orderTypes: ['MARKET', 'LIMIT'],
      userType: 'individual',
      poa: false,
      isActive: true,
      tokens: {
        daily: {
          token: 'legacy-access-token',
          issuedAt: Date.parse('2025-01-15T10:30:00.123+05:30'),
          expiresAt: Date.parse('2025-01-16T03:30:00.000+05:30'),
          source: 'oauth',
        },
      },
      extra: { unknown_broker_field: { kept: [1, 'two'] } },
    });
    expect(await readJson(path)).not.toHaveProperty('version');

    await store.set(key, withDaily(record!, { token: 'renewed-token' }));
    const file = await readJson(path);
    expect(file).toMatchObject({
      version: 2,
      account_key: key,
      client_id: 'legacy-client',
      access_token: 'renewed-token',
      issued_at: '2025-01-15T10:30:00.123+05:30',
      expires_at: '2025-01-16T03:30:00.000+05:30',
    });
    expect((await readdir(t.dir)).filter((n) => n.endsWith('.json'))).toEqual([DEFAULT_TOKEN_FILE]);
    expect((await store.get(key))?.extra).toEqual({ unknown_broker_field: { kept: [1, 'two'] } });
  });

  it('ignores (and reports) an original-format file when no clientId is given', async () => {
    await mkdir(t.dir, { mode: 0o700 });
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    await writeFile(path, JSON.stringify(pythonFile), { mode: 0o600 });
    const store = t.open();
    const key = accountKey('some-client', 'PY1234');
    expect(await store.get(key)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(t.warnings.map((w) => [w.code, w.path])).toEqual([['legacy-unattributed', path]]);
    // A new login goes to the account's own file; the old one is left as it was.
    const record = sampleRecord({ clientId: 'some-client', userId: 'PY1234' });
    await store.set(key, record);
    expect(await readJson(path)).toEqual(pythonFile);
    expect(await store.get(key)).toEqual(record);
    expect(await store.list()).toEqual([key]);
  });

  it('rejects bad keys and records before touching the disk', async () => {
    const store = t.open();
    const record = sampleRecord();
    await expect(store.set('upstox:other:USER', record)).rejects.toMatchObject({
      code: ErrorCodes.INPUT_INVALID,
      details: { argument: 'record.accountKey' },
    });
    await expect(store.set(record.accountKey, withDaily(record, { issuedAt: 1.5 }))).rejects.toMatchObject({
      code: ErrorCodes.INPUT_INVALID,
      details: { argument: 'record.tokens.daily.issuedAt' },
    });
    await expect(store.get('not-a-key')).rejects.toMatchObject({
      code: ErrorCodes.INPUT_INVALID,
      details: { argument: 'key' },
    });
    await expect(readdir(t.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('words bad options and arguments as the shared argument checks do (what it got, never the value)', async () => {
    const { createFileTokenStore } = await import('../src/index.js');
    expect(() => createFileTokenStore({ dir: 42 as unknown as string })).toThrow(
      'options.dir must be a non-empty directory path; got a number',
    );
    expect(() => createFileTokenStore({ dir: t.dir, watchDebounceMs: -5 })).toThrow(
      'options.watchDebounceMs must be a finite number of milliseconds >= 0; got -5',
    );
    const store = t.open();
    await expect(store.get('upstox-secretish-text')).rejects.toThrow(
      'key must be an account key upstox:<client_id>:<user_id>; got a string of another form',
    );
    expect(() => store.watch(sampleRecord().accountKey, 'no' as never)).toThrow(
      'onChange must be a function; got a string',
    );
  });

  it('answers "nothing stored" for a directory that does not exist yet, without creating it', async () => {
    const store = t.open();
    expect(await store.get(sampleRecord().accountKey)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(await store.delete(sampleRecord().accountKey)).toBe(false);
    await expect(stat(t.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes temp files left by killed writers once they are a minute old', async () => {
    await mkdir(t.dir, { mode: 0o700 });
    const old = join(t.dir, 'upstox_token.json.1234567');
    const recent = join(t.dir, 'upstox_token.json.7654321');
    await writeFile(old, 'half a tok', { mode: 0o600 });
    await writeFile(recent, 'being written', { mode: 0o600 });
    const longAgo = new Date(Date.now() - 5 * 60_000);
    await utimes(old, longAgo, longAgo);
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const names = (await readdir(t.dir)).filter((n) => n !== '.locks' && n !== LISTING_DIR);
    expect(names).not.toContain('upstox_token.json.1234567');
    expect(names).toContain('upstox_token.json.7654321');
  });
});
