import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRecordCipher } from '@hft/auth-core/store';
import { ConfigError, InputError, StorageError } from '@hft/errors';
import { sampleRecord, withDaily } from '@hft/storage-conformance';
import { createRedisTokenStore } from '@hft/storage-redis';
import { type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openTokenStore, type StorageImporter } from '../src/index.js';
import { tempDir } from './helpers.js';

/**
 * An importer that loads each package from an empty `node_modules`, as an app that did not
 * install it would (vitest resolves bare specifiers itself, so the path is spelled out).
 */
async function nothingInstalled(): Promise<StorageImporter> {
  const modules = join(await tempDir(), 'node_modules');
  return (specifier) => import(pathToFileURL(join(modules, specifier, 'dist', 'index.js')).href);
}

/** The default importer, recording what was asked for. */
function recording(asked: string[]): StorageImporter {
  return (specifier) => {
    asked.push(specifier);
    return import(specifier);
  };
}

describe('openTokenStore', () => {
  it('opens the default file store of a loaded config, importing only @hft/storage-file', async () => {
    const home = await tempDir();
    const { config } = await loadConfig({ env: { HFT_HOME: home }, homedir: home, cwd: home });
    const asked: string[] = [];
    const store = await openTokenStore(config, { env: {}, importer: recording(asked) });
    try {
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe(record.tokens.daily!.token);
      expect(readdirSync(config.tokenDir).filter((name) => name.endsWith('.json'))).toHaveLength(1);
      expect(asked).toEqual(['@hft/storage-file']);
    } finally {
      await store.close();
    }
  });

  it('opens SQLite from an HFT_STORAGE string, relative to cwd, importing only @hft/storage-sqlite', async () => {
    const dir = await tempDir();
    const asked: string[] = [];
    const store = await openTokenStore('sqlite:tokens.db', { cwd: dir, env: {}, importer: recording(asked) });
    try {
      const record = sampleRecord();
      await store.set(record.accountKey, record);
      expect(await store.list()).toHaveLength(1);
      expect(store.name).toBe('sqlite');
      expect(statSync(join(dir, 'tokens.db')).isFile()).toBe(true);
      expect(asked).toEqual(['@hft/storage-sqlite']);
    } finally {
      await store.close();
    }
  });

  describe('HFT_STORAGE=redis:// through loadConfig', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.stop());

    it('opens the Redis store the environment selects; another client of that Redis sees the write', async () => {
      const home = await tempDir();
      const env = { HFT_HOME: home, HFT_STORAGE: redis.url() };
      const { config } = await loadConfig({ env, homedir: home, cwd: home });
      const store = await openTokenStore(config, { env });
      const other = createRedisTokenStore({ url: redis.url() });
      try {
        expect(store.name).toBe('redis');
        const record = sampleRecord();
        await store.set(record.accountKey, record);
        expect((await other.get(record.accountKey))?.tokens.daily?.token).toBe(record.tokens.daily!.token);
        expect(existsSync(config.tokenDir)).toBe(false);
      } finally {
        await store.close();
        await other.close();
      }
    });
  });

  it('encrypts at rest with the cipher HFT_MASTER_KEY configures', async () => {
    const dir = await tempDir();
    const key = Buffer.alloc(32, 7).toString('base64');
    const store = await openTokenStore({ kind: 'file', dir }, { env: { HFT_MASTER_KEY: key } });
    const record = sampleRecord();
    try {
      await store.set(record.accountKey, record);
    } finally {
      await store.close();
    }
    const [file] = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(readFileSync(join(dir, file as string), 'utf8')).not.toContain(record.tokens.daily!.token);
    const reopened = await openTokenStore({ kind: 'file', dir }, { cipher: createRecordCipher({ key }) });
    try {
      expect((await reopened.get(record.accountKey))?.tokens.daily?.token).toBe(record.tokens.daily!.token);
    } finally {
      await reopened.close();
    }
  });

  it.each([
    ['sqlite', 'sqlite:/tmp/never.db', '@hft/storage-sqlite'],
    ['redis', 'redis://127.0.0.1:1/0', '@hft/storage-redis'],
    ['file', 'file:/tmp/never', '@hft/storage-file'],
  ])('a missing %s package is HFT_STORAGE_PACKAGE_MISSING naming it', async (kind, spec, pkg) => {
    const error = await openTokenStore(spec, { env: {}, importer: await nothingInstalled() }).catch((e) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error.code).toBe('HFT_STORAGE_PACKAGE_MISSING');
    expect(error.backend).toBe(kind);
    expect(error.message).toContain(`needs the package ${pkg}, which is not installed`);
    expect(error.cause?.code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('a malformed storage string is a ConfigError naming the accepted forms; no package is imported', async () => {
    const asked: string[] = [];
    const error = await openTokenStore('mongodb://db/tokens', { env: {}, importer: recording(asked) }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('HFT_CONFIG_INVALID');
    expect(error.message).toMatch(/unknown storage scheme "mongodb:"/);
    expect(asked).toEqual([]);
  });

  it('a source of the wrong type is an InputError on `source`', async () => {
    for (const bad of [undefined, 42, { kind: 'mongo' }, { storage: { kind: 'toString' } }]) {
      const error = await openTokenStore(bad as never).catch((e) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error.details).toEqual({ argument: 'source' });
    }
    const error = await openTokenStore(42 as never).catch((e) => e);
    expect(error.message).toBe(
      'source must be a Config, a StorageSelection or an HFT_STORAGE string; got a number',
    );
  });

  it('a Redis password in the source never reaches the error of a malformed string', async () => {
    const error = await openTokenStore('redis://:pw-S3CRET@', { env: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('pw-S3CRET');
  });
});

describe('openTokenStore with leanReads', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  const cases = [
    { kind: 'sqlite', source: async () => `sqlite:${join(await tempDir(), 'tokens.db')}` },
    { kind: 'redis', source: async () => redis.url() },
  ] as const;

  for (const { kind, source } of cases) {
    it(`${kind}: reads through the lean reader; the full store is imported only for a write`, async () => {
      const where = await source();
      const record = sampleRecord();
      // Written by the full store, as any other process would.
      const writer = await openTokenStore(where, { env: {} });
      await writer.set(record.accountKey, record);
      await writer.close();

      const asked: string[] = [];
      const store = await openTokenStore(where, { env: {}, leanReads: true, importer: recording(asked) });
      try {
        expect(store.name).toBe(kind);
        expect(await store.get(record.accountKey)).toEqual(record);
        expect(await store.list()).toContain(record.accountKey);
        expect(await store.get('upstox:nobody:X')).toBeUndefined();
        expect(asked).toEqual([`@hft/storage-${kind}/reader`]);
        const newer = withDaily(record, {
          token: `${record.tokens.daily!.token}-2`,
          issuedAt: record.tokens.daily!.issuedAt + 1,
        });
        await store.set(record.accountKey, newer);
        expect(asked).toEqual([`@hft/storage-${kind}/reader`, `@hft/storage-${kind}`]);
        expect((await store.get(record.accountKey))?.tokens.daily?.token).toBe(newer.tokens.daily!.token);
      } finally {
        await store.close();
      }
    });
  }

  it('the file store ignores it (nothing to gain): only @hft/storage-file is imported', async () => {
    const asked: string[] = [];
    const store = await openTokenStore(`file:${await tempDir()}`, {
      env: {},
      leanReads: true,
      importer: recording(asked),
    });
    try {
      expect(store.name).toBe('file');
      expect(await store.list()).toEqual([]);
      expect(asked).toEqual(['@hft/storage-file']);
    } finally {
      await store.close();
    }
  });
});
