import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRecordCipher, isSealed } from '@hft/auth-core';
import { ErrorCodes, StorageError } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { describe, expect, it } from 'vitest';
import { LISTING_DIR } from '../src/file-names.js';
import { DEFAULT_TOKEN_FILE } from '../src/index.js';
import { useTempDir } from './helpers/temp-dir.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as StorageError,
  );

describe('modes', () => {
  const t = useTempDir();

  it('tightens a looser directory and file mode and reports path and old mode', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    await chmod(t.dir, 0o755);
    await chmod(path, 0o644);
    expect(await store.get(record.accountKey)).toEqual(record);
    expect((await stat(t.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(t.warnings).toEqual([
      expect.objectContaining({ code: 'mode-tightened', path: t.dir, mode: 0o755 }),
      expect.objectContaining({ code: 'mode-tightened', path, mode: 0o644 }),
    ]);
    expect(t.warnings[1]?.message).toContain(path);
    expect(t.warnings[1]?.message).toContain('0644');
  });

  it('keeps 0600 when a write replaces a file', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    await chmod(path, 0o666);
    await store.set(record.accountKey, withDaily(record, { token: 'second' }));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe('corrupt and unreadable files', () => {
  const t = useTempDir();

  it('moves a truncated file aside, names both paths, and lets the next set write a fresh file', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, text.length / 2));

    const err = await failure(store.get(record.accountKey));
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe(ErrorCodes.STORAGE_CORRUPT);
    const aside = (await readdir(t.dir)).find((n) => n.startsWith(`${DEFAULT_TOKEN_FILE}.corrupt-`));
    expect(aside).toMatch(/^upstox_token\.json\.corrupt-\d{8}T\d{6}\.\d{3}Z$/);
    expect(err.message).toContain(path);
    expect(err.message).toContain(join(t.dir, aside!));
    expect(err.message).toMatch(/^file store: /);
    expect(err.message).not.toContain(record.tokens.daily!.token);
    expect(err.details.paths).toEqual([path, join(t.dir, aside!)]);
    expect(await readFile(join(t.dir, aside!), 'utf8')).toBe(text.slice(0, text.length / 2));

    expect(await store.get(record.accountKey)).toBeUndefined();
    await store.set(record.accountKey, record);
    expect(await store.get(record.accountKey)).toEqual(record);
    expect(await readdir(t.dir)).toContain(DEFAULT_TOKEN_FILE);
  });

  it('treats a record with a bad field as corrupt, naming the field', async () => {
    const store = t.open();
    const a = sampleRecord({ userId: 'AAA1' });
    const b = sampleRecord({ userId: 'BBB2' });
    await store.set(a.accountKey, a);
    await store.set(b.accountKey, b);
    const path = join(t.dir, 'upstox_token.conformance-client.BBB2.json');
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...file, expires_at: 'tomorrow' }));
    const err = await failure(store.get(b.accountKey));
    expect(err.code).toBe(ErrorCodes.STORAGE_CORRUPT);
    expect(err.message).toContain('expires_at');
    expect(await store.get(a.accountKey)).toEqual(a);
  });

  it('moves an unreadable per-account file aside on set, with a warning, and writes a fresh one', async () => {
    const store = t.open();
    const a = sampleRecord({ userId: 'AAA1' });
    const b = sampleRecord({ userId: 'BBB2' });
    await store.set(a.accountKey, a);
    await store.set(b.accountKey, b);
    const path = join(t.dir, 'upstox_token.conformance-client.BBB2.json');
    await writeFile(path, '');
    await store.set(b.accountKey, b);
    expect(await store.get(b.accountKey)).toEqual(b);
    expect(t.warnings.map((w) => w.code)).toEqual(['corrupt-replaced']);
    expect(
      (await readdir(t.dir)).some((n) => n.startsWith('upstox_token.conformance-client.BBB2.json.corrupt-')),
    ).toBe(true);
  });

  it('fails closed with HFT_STORAGE_UNAVAILABLE and the cause for a path it cannot read', async () => {
    const store = t.open();
    const record = sampleRecord();
    await mkdir(join(t.dir, DEFAULT_TOKEN_FILE), { recursive: true });
    for (const attempt of [
      () => store.get(record.accountKey),
      () => store.list(),
      () => store.set(record.accountKey, record),
    ]) {
      const err = await failure(attempt());
      expect(err).toBeInstanceOf(StorageError);
      expect(err.code).toBe(ErrorCodes.STORAGE_UNAVAILABLE);
      expect(err.message).toContain(join(t.dir, DEFAULT_TOKEN_FILE));
      expect(err.cause).toBeInstanceOf(Error);
    }
  });

  it('refuses a file of a newer format version without moving it', async () => {
    const store = t.open();
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...file, version: 3 }));
    const err = await failure(store.get(record.accountKey));
    expect(err.code).toBe(ErrorCodes.STORAGE_UNAVAILABLE);
    expect(err.message).toContain('version 3');
    expect(await readdir(t.dir)).toEqual(expect.arrayContaining([DEFAULT_TOKEN_FILE]));
  });

  it('refuses a per-account file holding another account', async () => {
    const store = t.open();
    const a = sampleRecord({ userId: 'AAA1' });
    const b = sampleRecord({ userId: 'BBB2' });
    const c = sampleRecord({ userId: 'CCC3' });
    for (const r of [a, b, c]) await store.set(r.accountKey, r);
    // Someone copies B's file over C's.
    await rename(
      join(t.dir, 'upstox_token.conformance-client.BBB2.json'),
      join(t.dir, 'upstox_token.conformance-client.CCC3.json'),
    );
    const err = await failure(store.get(c.accountKey));
    expect(err.code).toBe(ErrorCodes.STORAGE_UNAVAILABLE);
    expect(err.message).toContain(b.accountKey);
    await expect(store.set(c.accountKey, c)).rejects.toMatchObject({ code: ErrorCodes.STORAGE_UNAVAILABLE });
    expect(await store.list()).toEqual([a.accountKey]);
    expect(t.warnings.map((w) => w.code)).toEqual(['foreign-file']);
  });

  it('fails every operation after close()', async () => {
    const store = t.open();
    await store.close();
    const key = sampleRecord().accountKey;
    for (const attempt of [
      () => store.get(key),
      () => store.set(key, sampleRecord()),
      () => store.delete(key),
      () => store.list(),
      () => store.withLock(key, 100, async () => 1),
    ]) {
      expect(await failure(attempt())).toBeInstanceOf(StorageError);
    }
    expect(() => store.watch(key, () => {})).toThrow(StorageError);
  });
});

describe('encryption', () => {
  const t = useTempDir();
  const secretKey = randomBytes(32);
  const cipher = createRecordCipher({ key: secretKey });

  it('refuses a plain file when a key is configured (HFT_STORAGE_UNSEALED), serving nothing', async () => {
    const record = sampleRecord();
    await t.open().set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    const planted = await readFile(path, 'utf8');
    const err = await failure(t.open({ cipher }).get(record.accountKey));
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe(ErrorCodes.STORAGE_UNSEALED);
    expect(err.message).toContain(path);
    expect(err.message).toContain('hft store seal');
    expect(err.message).not.toContain(record.tokens.daily!.token);
    // Left in place for the seal command (not moved aside as corrupt).
    expect(await readFile(path, 'utf8')).toBe(planted);
  });

  it('with allowPlaintext, migrates a plain file at its next save, keeping the account key readable', async () => {
    const plain = t.open();
    const record = sampleRecord();
    await plain.set(record.accountKey, record);
    const path = join(t.dir, DEFAULT_TOKEN_FILE);
    expect(isSealed(await readFile(path, 'utf8'))).toBe(false);

    const sealedStore = t.open({ cipher: createRecordCipher({ key: secretKey, allowPlaintext: true }) });
    expect(await sealedStore.get(record.accountKey)).toEqual(record);
    await sealedStore.set(record.accountKey, record);
    const text = await readFile(path, 'utf8');
    expect(isSealed(text)).toBe(true);
    expect(text).not.toContain(record.tokens.daily!.token);
    expect(text).not.toContain(record.userName!);
    expect(JSON.parse(text)).toMatchObject({ account_key: record.accountKey });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await sealedStore.get(record.accountKey)).toEqual(record);
    expect(await sealedStore.list()).toEqual([record.accountKey]);

    const noKey = await failure(plain.get(record.accountKey));
    expect(noKey.code).toBe(ErrorCodes.STORAGE_WRONG_KEY);
  });

  it('fails with HFT_STORAGE_WRONG_KEY for another key, leaving the file in place', async () => {
    const record = sampleRecord();
    await t.open({ cipher }).set(record.accountKey, record);
    const other = t.open({ cipher: createRecordCipher({ key: randomBytes(32) }) });
    const err = await failure(other.get(record.accountKey));
    expect(err).toBeInstanceOf(StorageError);
    expect(err.code).toBe(ErrorCodes.STORAGE_WRONG_KEY);
    expect(err.message).toMatch(/^file store: /);
    expect((await readdir(t.dir)).filter((n) => n !== '.locks' && n !== LISTING_DIR)).toEqual([
      DEFAULT_TOKEN_FILE,
    ]);
  });

  it('fails with HFT_STORAGE_TAMPERED for an altered file or one moved to another account', async () => {
    const store = t.open({ cipher });
    const a = sampleRecord({ userId: 'AAA1' });
    const b = sampleRecord({ userId: 'BBB2' });
    await store.set(a.accountKey, a);
    await store.set(b.accountKey, b);
    const pathB = join(t.dir, 'upstox_token.conformance-client.BBB2.json');
    const envelope = JSON.parse(await readFile(pathB, 'utf8')) as Record<string, string>;
    const ct = Buffer.from(envelope.ct!, 'base64');
    ct[3] = (ct[3] ?? 0) ^ 0x01;
    await writeFile(pathB, JSON.stringify({ ...envelope, ct: ct.toString('base64') }));
    expect((await failure(store.get(b.accountKey))).code).toBe(ErrorCodes.STORAGE_TAMPERED);

    // A's sealed file relabelled as B's: the account key is the sealed data's AAD.
    const envelopeA = JSON.parse(await readFile(join(t.dir, DEFAULT_TOKEN_FILE), 'utf8')) as Record<
      string,
      string
    >;
    await writeFile(pathB, JSON.stringify({ ...envelopeA, account_key: b.accountKey }));
    expect((await failure(store.get(b.accountKey))).code).toBe(ErrorCodes.STORAGE_TAMPERED);
    expect(await store.get(a.accountKey)).toEqual(a);
  });

  it('never replaces a sealed file it cannot open (wrong key or none): HFT_STORAGE_WRONG_KEY, nothing written', async () => {
    const a = sampleRecord({ userId: 'AAA1' });
    const b = sampleRecord({ userId: 'BBB2' });
    const right = t.open({ cipher });
    await right.set(a.accountKey, a);
    await right.set(b.accountKey, b);
    const pathA = join(t.dir, DEFAULT_TOKEN_FILE);
    const pathB = join(t.dir, 'upstox_token.conformance-client.BBB2.json');
    const before = [await readFile(pathA, 'utf8'), await readFile(pathB, 'utf8')];
    const forged = (r: typeof a) =>
      withDaily(r, { token: 'replacement-token', issuedAt: r.tokens.daily!.issuedAt + 1 });
    for (const wrong of [t.open({ cipher: createRecordCipher({ key: randomBytes(32) }) }), t.open()]) {
      for (const [record, path] of [
        [a, pathA],
        [b, pathB],
      ] as const) {
        const err = await failure(wrong.set(record.accountKey, forged(record)));
        expect(err.code).toBe(ErrorCodes.STORAGE_WRONG_KEY);
        expect(err.message).toContain(path);
        expect(err.message).toContain('nothing was written');
      }
    }
    expect([await readFile(pathA, 'utf8'), await readFile(pathB, 'utf8')]).toEqual(before);
    expect(await right.get(a.accountKey)).toEqual(a);
    expect(await right.get(b.accountKey)).toEqual(b);
  });

  it('opens files sealed under the previous key, and seals only under the current one', async () => {
    const record = sampleRecord();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await t.open({ cipher: createRecordCipher({ key: oldKey }) }).set(record.accountKey, record);
    const rotating = t.open({ cipher: createRecordCipher({ key: newKey, previous: { key: oldKey } }) });
    expect(await rotating.get(record.accountKey)).toEqual(record);
    await rotating.set(record.accountKey, record);
    const newOnly = t.open({ cipher: createRecordCipher({ key: newKey }) });
    expect(await newOnly.get(record.accountKey)).toEqual(record);
    const oldOnly = t.open({ cipher: createRecordCipher({ key: oldKey }) });
    expect((await failure(oldOnly.get(record.accountKey))).code).toBe(ErrorCodes.STORAGE_WRONG_KEY);
  });
});
