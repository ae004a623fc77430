import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenRecord } from '@hft/auth-core/store';
import { createRecordCipher } from '@hft/auth-core/store';
import { createFileTokenStore, DEFAULT_TOKEN_FILE } from '@hft/storage-file';
import { type BenchContext, scratchDir } from '../context.js';
import { fakeAccessToken, makeRecord } from '../records.js';
import { bytesPerVariant, checkedScaleKit, type ScaleKit, type StoreOpsKit, tokenVariants } from './kit.js';

/**
 * The file store beside `readFileSync` + `JSON.parse` of the very file it wrote (get: the store
 * reads synchronously too, so the same work is a synchronous read), and a durable
 * atomic write of the same bytes (set): temp file write + fsync + rename + fsync of the
 * directory. The directory fsync is part of "the same work": the store promises that a stored
 * token survives a power cut, which needs the rename itself flushed.
 */
export async function fileStoreOpsKit(
  ctx: BenchContext,
  record: TokenRecord,
  keyBase64: string,
): Promise<StoreOpsKit> {
  const key = record.accountKey;
  const plainDir = scratchDir(ctx, 'file-plain');
  const plain = createFileTokenStore({ dir: plainDir });
  const encrypted = createFileTokenStore({
    dir: scratchDir(ctx, 'file-enc'),
    cipher: createRecordCipher({ key: keyBase64 }),
  });
  await plain.set(key, record);
  await encrypted.set(key, record);
  const tokenFile = join(plainDir, DEFAULT_TOKEN_FILE);
  const variants = tokenVariants(record, fakeAccessToken);
  const bytes = bytesPerVariant(readFileSync(tokenFile, 'utf8'), variants);
  const rawDir = scratchDir(ctx, 'file-raw');
  const target = join(rawDir, 'token.json');
  let n = 0;
  return {
    kind: 'file',
    plain,
    encrypted,
    variants,
    async rawGet() {
      const parsed = JSON.parse(readFileSync(tokenFile, 'utf8')) as {
        access_token: string;
      };
      return parsed.access_token;
    },
    async rawSet(index) {
      const temp = `${target}.${process.pid}.${n++}`;
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(bytes[index]!);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      const dir = await open(rawDir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    },
    async close() {
      await plain.close();
      await encrypted.close();
    },
  };
}

/**
 * Two file stores: one with a single account, one with `count`. The first account of each is
 * written by the store (it lands in `upstox_token.json`); the other `count - 1` files of the big
 * one are written directly in the store's own format (its text for another account, with user
 * id, key and token changed) because `count` durable writes would take minutes. The store then
 * reads them like any of its files.
 */
export async function fileScaleKit(ctx: BenchContext, count: number): Promise<ScaleKit> {
  const first = makeRecord({ userId: 'U0' });
  const oneDir = scratchDir(ctx, 'file-one');
  const manyDir = scratchDir(ctx, 'file-many');
  const one = createFileTokenStore({ dir: oneDir });
  const many = createFileTokenStore({ dir: manyDir });
  await one.set(first.accountKey, first);
  await many.set(first.accountKey, first);
  const template = JSON.parse(readFileSync(join(manyDir, DEFAULT_TOKEN_FILE), 'utf8')) as Record<
    string,
    unknown
  >;
  mkdirSync(manyDir, { recursive: true });
  let lastKey = first.accountKey;
  for (let i = 1; i < count; i++) {
    const userId = `U${i}`;
    const other = makeRecord({ userId, accessToken: fakeAccessToken() });
    const text = `${JSON.stringify(
      {
        ...template,
        account_key: other.accountKey,
        access_token: other.tokens.daily!.token,
        user_id: userId,
        user_name: other.userName,
        email: other.email,
      },
      null,
      2,
    )}\n`;
    writeFileSync(join(manyDir, `upstox_token.${other.clientId}.${userId}.json`), text, { mode: 0o600 });
    lastKey = other.accountKey;
  }
  return checkedScaleKit('file', { one, many }, first.accountKey, count, lastKey);
}
