import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRecordCipher, type TokenRecord, type TokenStore } from '@hft/auth-core/store';
import { createFileTokenStore } from '@hft/storage-file';
import { createRedisTokenStore } from '@hft/storage-redis';
import { createSqliteTokenStore } from '@hft/storage-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { newHome, tempDir } from './helpers/homes.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { registerSecret } from './helpers/registry.js';
import { TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
let redis: TestRedis;
beforeAll(async () => {
  [upstox, redis] = await Promise.all([TestUpstox.start(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([upstox?.close(), redis?.stop()]);
});

const newKey = () => randomBytes(32).toString('base64');

describe('a plain record planted in an encrypted store', () => {
  it('hft token refuses it (HFT_STORAGE_UNSEALED, no token printed) until hft store seal seals it', async () => {
    const home = newHome();
    const key = newKey();
    const forged = `FORGED-${randomBytes(12).toString('hex')}`;
    registerSecret('access token', forged);
    mkdirSync(join(home, 'tokens'), { recursive: true, mode: 0o700 });
    const planted = join(home, 'tokens', 'upstox_token.json');
    // A complete record of the original module's format: everything a reader needs to serve it.
    writeFileSync(
      planted,
      JSON.stringify({
        access_token: forged,
        client_id: upstox.clientId,
        user_id: 'FORGED1',
        issued_at: new Date(Date.now() - 60_000).toISOString(),
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        exchanges: ['NSE'],
        products: ['D'],
        order_types: ['LIMIT'],
      }),
      { mode: 0o600 },
    );
    const env = { HFT_HOME: home, UPSTOX_CLIENT_ID: upstox.clientId, HFT_MASTER_KEY: key };

    const refused = await runCli(['token'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('HFT_STORAGE_UNSEALED');
    expect(refused.stderr).toContain(planted);
    expect(refused.stderr).toContain('hft store seal');
    expect(refused.stderr).not.toContain(forged);
    expect(readFileSync(planted, 'utf8')).toContain(forged);

    const sealed = await runCli(['store', 'seal', '--json'], { env });
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(JSON.parse(sealed.stdout)).toMatchObject({ command: 'seal', total: 1, resealed: 1, failed: [] });
    expect(sealed.stderr).toContain('sealed 1 of 1');
    expect(readFileSync(planted, 'utf8')).not.toContain(forged);
    // Sealed by the operator's explicit command, it is served.
    const served = await runCli(['token'], { env });
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toBe(`${forged}\n`);
  });
});

describe('hft login with a wrong key (or none)', () => {
  it('does not replace the record sealed under the right key; the right key still reads it', async () => {
    const right = newKey();
    const account = await upstox.account({ HFT_MASTER_KEY: right });
    const first = await upstox.login(account);
    expect(first.result.code, first.result.stderr).toBe(0);
    const token = await runCli(['token'], { env: account.env });
    expect(token.code, token.stderr).toBe(0);
    const dir = join(account.home, 'tokens');
    const snapshot = () =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => [name, readFileSync(join(dir, name), 'utf8')]);
    const before = snapshot();

    for (const wrong of [newKey(), undefined]) {
      const { result } = await upstox.login(account, { env: { HFT_MASTER_KEY: wrong } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('HFT_STORAGE_WRONG_KEY');
      expect(result.stderr).toContain('nothing was written');
      expect(snapshot()).toEqual(before);
    }
    const after = await runCli(['token'], { env: account.env });
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe(token.stdout);
  });
});

const RECORDS = 60;

function recordFor(i: number): TokenRecord {
  const userId = `RK${String(i).padStart(3, '0')}`;
  const accessToken = `rekey-token-${randomBytes(8).toString('hex')}`;
  registerSecret('access token', accessToken);
  const issuedAt = Date.now() - 60_000;
  return {
    version: 2,
    accountKey: `upstox:rekey-client:${userId}`,
    clientId: 'rekey-client',
    userId,
    exchanges: ['NSE'],
    products: ['D'],
    orderTypes: ['LIMIT'],
    tokens: { daily: { token: accessToken, issuedAt, expiresAt: issuedAt + 86_400_000, source: 'manual' } },
  };
}

interface Backend {
  name: string;
  /** HFT_STORAGE for the CLI, and a library store over the same data with `cipher`. */
  setup(): { storage: string; open(cipher: ReturnType<typeof createRecordCipher>): TokenStore };
}

const backends: Backend[] = [
  {
    name: 'file',
    setup() {
      const dir = tempDir('rekey-file-');
      return { storage: `file:${dir}`, open: (cipher) => createFileTokenStore({ dir, cipher }) };
    },
  },
  {
    name: 'sqlite',
    setup() {
      const path = join(tempDir('rekey-sqlite-'), 'tokens.db');
      return { storage: `sqlite:${path}`, open: (cipher) => createSqliteTokenStore({ path, cipher }) };
    },
  },
  {
    name: 'redis',
    setup() {
      const url = redis.url;
      return { storage: url, open: (cipher) => createRedisTokenStore({ url, cipher }) };
    },
  },
];

/** How many of `records` open in `store` (the rest fail); every failure's code. */
async function opening(store: TokenStore, records: TokenRecord[]) {
  let opened = 0;
  const codes: string[] = [];
  for (const record of records) {
    try {
      expect(await store.get(record.accountKey)).toEqual(record);
      opened += 1;
    } catch (error) {
      codes.push((error as { code?: string }).code ?? String(error));
    }
  }
  await store.close();
  return { opened, codes: [...new Set(codes)] };
}

describe.each(backends)('hft store rekey ($name store)', (backend) => {
  it('reseals every record under the new key; killed mid-way, every record still opens and a second run finishes', async () => {
    const { storage, open } = backend.setup();
    const oldKey = newKey();
    const currentKey = newKey();
    const records = Array.from({ length: RECORDS }, (_, i) => recordFor(i));
    const seed = open(createRecordCipher({ key: oldKey }));
    for (const record of records) await seed.set(record.accountKey, record);
    await seed.close();

    const env = {
      HFT_HOME: newHome(),
      HFT_STORAGE: storage,
      HFT_MASTER_KEY: currentKey,
      HFT_MASTER_KEY_PREVIOUS: oldKey,
    };
    const crashing = startCli(['store', 'rekey'], { env, killAfterMs: 60_000 });
    await crashing.waitFor(/resealed 3 of 60/, { stream: 'stderr', ms: 30_000 });
    crashing.child.kill('SIGKILL');
    const crashed = await crashing.done;
    expect(crashed.signal).toBe('SIGKILL');

    // Mid-way: some records under the new key, the rest still under the old one, none lost.
    const both = await opening(
      open(createRecordCipher({ key: currentKey, previous: { key: oldKey } })),
      records,
    );
    expect(both).toEqual({ opened: RECORDS, codes: [] });
    const midway = await opening(open(createRecordCipher({ key: currentKey })), records);
    expect(midway.opened).toBeGreaterThanOrEqual(3);
    expect(midway.opened, 'the kill landed after the last record').toBeLessThan(RECORDS);
    expect(midway.codes).toEqual(['HFT_STORAGE_WRONG_KEY']);

    const again = await runCli(['store', 'rekey', '--json'], { env, killAfterMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      command: 'rekey',
      total: RECORDS,
      resealed: RECORDS,
      vanished: 0,
      failed: [],
      key_id: createRecordCipher({ key: currentKey }).keyId,
    });
    expect(again.stderr).toContain(`resealed ${RECORDS} of ${RECORDS}`);
    // Done: the new key alone opens everything; the old key alone opens nothing.
    expect(await opening(open(createRecordCipher({ key: currentKey })), records)).toEqual({
      opened: RECORDS,
      codes: [],
    });
    expect(await opening(open(createRecordCipher({ key: oldKey })), records)).toEqual({
      opened: 0,
      codes: ['HFT_STORAGE_WRONG_KEY'],
    });
  }, 120_000);
});

describe('hft store without a key', () => {
  it('seal and rekey need HFT_MASTER_KEY (exit 2); rekey refuses plain records, naming hft store seal', async () => {
    const home = newHome();
    const noKey = await runCli(['store', 'rekey'], { env: { HFT_HOME: home } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('HFT_MASTER_KEY');

    const dir = tempDir('plain-');
    const record = recordFor(999);
    const plain = createFileTokenStore({ dir });
    await plain.set(record.accountKey, record);
    await plain.close();
    const env = { HFT_HOME: home, HFT_STORAGE: `file:${dir}`, HFT_MASTER_KEY: newKey() };
    const rekey = await runCli(['store', 'rekey', '--json'], { env });
    expect(rekey.code).toBe(1);
    expect(JSON.parse(rekey.stdout)).toMatchObject({
      total: 1,
      resealed: 0,
      failed: [{ key: record.accountKey, code: 'HFT_STORAGE_UNSEALED' }],
    });
    const seal = await runCli(['store', 'seal'], { env });
    expect(seal.code, seal.stderr).toBe(0);
    expect(seal.stdout).toContain('1 of 1 records sealed');
  });
});
