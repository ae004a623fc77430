import { inspect } from 'node:util';
import { ErrorCodes, InputError, StorageError } from '@hft/errors';
import { sampleRecord } from '@hft/storage-conformance';
import { type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, parseRedisUrl, type RedisTokenStore } from '../src/index.js';

// Characters that need percent-encoding in a URL, so both forms must stay secret.
const PASSWORD = 'S3cret p@ss/w0rd!';
const ENCODED = encodeURIComponent(PASSWORD);

let server: RedisServer;
const stores: RedisTokenStore[] = [];
beforeAll(async () => {
  server = await startRedis({ password: PASSWORD });
});
afterAll(async () => {
  await server?.shutdown();
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function open(url: string, connectTimeoutMs = 1000): RedisTokenStore {
  const store = createRedisTokenStore({ url, connectTimeoutMs, commandTimeoutMs: 1000, prefix: 'auth:' });
  stores.push(store);
  return store;
}

/** Everything a log line or `--verbose` could print about `error`, causes included. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 5 && current; i += 1) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '', JSON.stringify(current));
    parts.push(inspect(current, { depth: 5 }));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(ENCODED);
  expect(text).not.toContain('S3cret');
}

describe('password and database number in the URL', () => {
  it('authenticates and uses the database from the URL', async () => {
    const store = open(server.url(3));
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    expect(await store.get(record.accountKey)).toEqual(record);
    expect(await server.cli('-n', '3', 'EXISTS', `auth:token:${record.accountKey}`)).toBe('1');
    expect(await server.cli('-n', '0', 'EXISTS', `auth:token:${record.accountKey}`)).toBe('0');
    expect(store.target).toMatchObject({ database: 3, hasPassword: true, tls: false, port: server.port });
  });

  it('accepts a user name with the password (ACL form)', async () => {
    const store = open(`redis://default:${ENCODED}@127.0.0.1:${server.port}/4`);
    expect(await store.list()).toEqual([]);
    expect(store.target.username).toBe('default');
  });

  it('never shows the password in String(store), JSON or inspect', () => {
    const store = open(server.url(3));
    for (const text of [
      String(store),
      `${store}`,
      JSON.stringify(store),
      inspect(store),
      JSON.stringify(store.target),
    ]) {
      expectNoSecret(text);
    }
    expect(String(store)).toBe(`redis store at redis://:***@127.0.0.1:${server.port}/3 (prefix "auth:")`);
  });

  it('fails fast with a password-free StorageError on a wrong password', async () => {
    const wrong = 'Wr0ng-but-also-secret';
    const store = open(`redis://:${wrong}@127.0.0.1:${server.port}/3`, 5_000);
    const started = performance.now();
    const error = await store.get('upstox:c:U1').catch((e: unknown) => e);
    // The server's refusal ends the wait at once instead of after the 5 s connect timeout.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe(ErrorCodes.STORAGE_UNAVAILABLE);
    expect((error as StorageError).message).toMatch(/refused the connection: WRONGPASS/);
    expect(everything(error)).not.toContain(wrong);
    expectNoSecret(everything(error));
  });

  it('fails with a password-free StorageError when no password is given', async () => {
    const store = open(`redis://127.0.0.1:${server.port}`);
    const error = await store.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/NOAUTH|authentication/i);
  });

  it('keeps the password out of every error while Redis is down', async () => {
    const store = open(server.url(3), 300);
    const record = sampleRecord();
    await store.set(record.accountKey, record);
    await server.stop();
    try {
      const errors = await Promise.all([
        store.get(record.accountKey).catch((e: unknown) => e),
        store.set(record.accountKey, record).catch((e: unknown) => e),
        store.list().catch((e: unknown) => e),
        store.withLock(record.accountKey, 1_000, async () => 1).catch((e: unknown) => e),
        store.connect().catch((e: unknown) => e),
      ]);
      for (const error of errors) {
        expect(error).toBeInstanceOf(StorageError);
        expect((error as Error).message).toContain('redis://:***@127.0.0.1');
        expectNoSecret(everything(error));
      }
    } finally {
      await server.restart();
    }
  });

  it('scrubs the password even where an underlying message quotes it', async () => {
    // A prefix is not secret, but here it equals the password's encoded form to prove the
    // scrubber runs on every message that leaves the store.
    const store = createRedisTokenStore({ url: `redis://:abcd1234@127.0.0.1:1/0`, connectTimeoutMs: 200 });
    stores.push(store);
    const error = await store.get('upstox:c:abcd1234').catch((e: unknown) => e);
    expect((error as Error).message).toContain('get of upstox:c:***');
    expect(everything(error)).not.toContain('abcd1234');
  });
});

describe('rediss:// (TLS)', () => {
  it('is accepted and hands TLS to the client: a plain server then fails the handshake', async () => {
    const url = `rediss://:${ENCODED}@127.0.0.1:${server.port}/2`;
    const store = open(url, 500);
    expect(store.target).toMatchObject({ tls: true, database: 2, hasPassword: true });
    expect(String(store)).toContain(`rediss://:***@127.0.0.1:${server.port}/2`);
    const error = await store.get('upstox:c:TLS1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expectNoSecret(everything(error));
    // The same address over redis:// works, so the failure is the TLS layer the URL asked for.
    const plain = open(server.url(2));
    expect(await plain.get('upstox:c:TLS1')).toBeUndefined();
  });
});

describe('URL and option checks', () => {
  it('parses the documented forms', () => {
    expect(parseRedisUrl('redis://localhost').target).toMatchObject({
      tls: false,
      host: 'localhost',
      port: 6379,
      database: 0,
      hasPassword: false,
      display: 'redis://localhost:6379/0',
    });
    expect(parseRedisUrl('rediss://user:pw@cache.internal:6380/5').target).toMatchObject({
      tls: true,
      host: 'cache.internal',
      port: 6380,
      database: 5,
      username: 'user',
      hasPassword: true,
      display: 'rediss://user:***@cache.internal:6380/5',
    });
    expect(parseRedisUrl('redis://[::1]:7000').target).toMatchObject({
      host: '::1',
      display: 'redis://[::1]:7000/0',
    });
  });

  it.each([
    ['', /non-empty/],
    ['not a url :secretpw@', /not a valid URL/],
    ['http://:secretpw@host:6379', /scheme "http"/],
    ['redis://:secretpw@host:99999', /not a valid URL|invalid port/],
    ['redis://:secretpw@host:6379/abc', /database that is not a number/],
    ['redis://:secretpw@host:6379/1?tls=1', /query parameters/],
    ['redis://:secretpw@:6379', /not a valid URL|no host/],
  ])('rejects %j with an InputError naming url, without the password', (url, why) => {
    const error = (() => {
      try {
        createRedisTokenStore({ url });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).details).toEqual({ argument: 'url' });
    expect((error as Error).message).toMatch(why);
    expect(everything(error)).not.toContain('secretpw');
  });

  it.each([
    [{ prefix: 'bad*prefix' }, 'prefix'],
    [{ prefix: 'x'.repeat(101) }, 'prefix'],
    [{ ttlGraceMs: -1 }, 'ttlGraceMs'],
    [{ connectTimeoutMs: 0 }, 'connectTimeoutMs'],
    [{ commandTimeoutMs: Number.POSITIVE_INFINITY }, 'commandTimeoutMs'],
    [{ clock: {} }, 'clock'],
    [{ cipher: { seal: 'no' } }, 'cipher'],
  ])('rejects %j with an InputError naming the option', (extra, argument) => {
    // The shared argument checks say what was received (a kind or a number, never a string's text).
    expect(() => createRedisTokenStore({ url: 'redis://localhost', ...(extra as object) })).toThrow(/; got /);
    expect(() => createRedisTokenStore({ url: 'redis://localhost', ...(extra as object) })).toThrow(
      expect.objectContaining({ name: 'InputError', details: { argument } }),
    );
  });
});
