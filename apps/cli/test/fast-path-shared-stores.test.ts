// `hft token` and `hft status --json` on SQLite and Redis read through the backends' lean
// readers (fast path) and must answer exactly like the full program, which opens the full store:
// same exit code, stdout and stderr, logged in or not, corrupt, sealed with another key,
// unknown account, store unreachable. And the fast path really skips the full stores' stack.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/homes.js';
import { CLI_DIR } from './helpers/paths.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

const TRACER = fileURLToPath(new URL('./fixtures/trace-imports.mjs', import.meta.url));
const redisAvailable = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

let upstox: TestUpstox;
let redis: TestRedis | undefined;
beforeAll(async () => {
  upstox = await TestUpstox.start();
  if (redisAvailable) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  await upstox?.close();
});

/** Runs `args` through the fast path and (with an option only the full program parses) the full program. */
async function both(args: string[], env: NodeJS.ProcessEnv) {
  const fast = await runCli(args, { env });
  const full = await runCli(['--http-timeout', '5', ...args], { env });
  return { fast, full };
}

// remaining_time_seconds may tick between the two runs.
const strip = (text: string) => text.replace(/"remaining_time_seconds": \d+/g, '');

function same(label: string, fast: CliResult, full: CliResult, code: number) {
  expect(fast.code, `${label}: ${fast.stderr}`).toBe(code);
  expect(full.code, `${label} (full): ${full.stderr}`).toBe(code);
  expect(strip(fast.stdout), label).toBe(strip(full.stdout));
  expect(fast.stderr, label).toBe(full.stderr);
}

/** Runs the CLI under the import tracer; returns its result and every module path it loaded. */
async function traced(args: string[], env: NodeJS.ProcessEnv) {
  const file = join(tempDir('trace-'), 'imports.txt');
  const result = await runCli(args, {
    env: { ...env, HFT_TRACE_IMPORTS: file },
    nodeArgs: ['--import', TRACER],
  });
  const urls = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[1] as string);
  return { result, urls };
}

const FULL_STACK = [
  /\/keyv\//,
  /\/@keyv\/(sqlite|redis)\//,
  /\/@redis\/client\/dist\/index\.js$/,
  /\/storage-(sqlite|redis)\/dist\/index\.js$/,
];

/** The account key of the one account logged in with `env`. */
async function accountKeyOf(env: NodeJS.ProcessEnv): Promise<string> {
  const status = JSON.parse((await runCli(['status', '--json'], { env })).stdout) as {
    token_info: { user_id: string };
  };
  return `upstox:${env.UPSTOX_CLIENT_ID}:${status.token_info.user_id}`;
}

/** A backend under test: how to point the CLI at a fresh store, and how to corrupt a record in it. */
interface Backend {
  kind: 'sqlite' | 'redis';
  storage(): string;
  /** Replaces the stored value of `key` with a Keyv entry whose value is not a record. */
  corrupt(storage: string, key: string): void;
  /** A storage string of this kind that cannot be opened. */
  unreachable(): string;
}

const sqliteRequire = createRequire(join(CLI_DIR, '..', '..', 'packages', 'storage-sqlite', 'package.json'));

const sqlite: Backend = {
  kind: 'sqlite',
  storage: () => `sqlite:${join(tempDir('sqlite-'), 'tokens.db')}`,
  corrupt(storage, key) {
    const script = `
      const sqlite3 = require(${JSON.stringify(sqliteRequire.resolve('sqlite3'))});
      const db = new sqlite3.Database(${JSON.stringify(storage.slice('sqlite:'.length))});
      db.run('UPDATE hft_tokens SET value = ? WHERE key = ?', [JSON.stringify({ value: '{"accessToken": 1}' }), ${JSON.stringify(key)}], function (e) {
        if (e || this.changes !== 1) { console.error(e ?? 'no row'); process.exit(1); }
        db.close();
      });`;
    execFileSync(process.execPath, ['-e', script]);
  },
  // A directory where the database file should be: the full store cannot create it.
  unreachable: () => `sqlite:${tempDir('sqlite-dir-')}`,
};

let prefixes = 0;
const redisBackend: Backend = {
  kind: 'redis',
  // A database of its own per store, so "nothing stored" really is empty.
  storage: () => `${redis!.url}/${1 + (prefixes++ % 15)}`,
  corrupt(storage, key) {
    const url = new URL(storage);
    execFileSync('redis-cli', [
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-n',
      url.pathname.slice(1),
      'SET',
      `hft:token:${key}`,
      JSON.stringify({ value: '{"accessToken": 1}' }),
    ]);
  },
  // A port nothing listens on.
  unreachable: () => 'redis://127.0.0.1:1/0',
};

const backends = [sqlite, ...(redisAvailable ? [redisBackend] : [])];

describe.each(backends)('$kind: the fast path (lean reader) and the full program agree', (backend) => {
  let account: TestAccount;
  let key: string;

  beforeAll(async () => {
    account = await upstox.account({ HFT_STORAGE: backend.storage() });
    const { result } = await upstox.login(account);
    expect(result.code, result.stderr).toBe(0);
    key = await accountKeyOf(account.env);
  });

  it('logged in: token, status --json, by key and by user id', async () => {
    const userId = key.split(':')[2] as string;
    for (const args of [
      ['token'],
      ['status', '--json'],
      ['--account', key, 'token'],
      ['--account', userId, 'token'],
      ['--account', userId, 'status', '--json'],
    ]) {
      const { fast, full } = await both(args, account.env);
      same(args.join(' '), fast, full, 0);
    }
  });

  it('not logged in, unknown account name, an unopenable store', async () => {
    const fresh = await upstox.account({ HFT_STORAGE: backend.storage() });
    for (const args of [['token'], ['status', '--json']]) {
      const { fast, full } = await both(args, fresh.env);
      same(`fresh ${args.join(' ')}`, fast, full, 3);
    }
    const nobody = await both(['--account', 'nobody', 'token'], account.env);
    same('unknown name', nobody.fast, nobody.full, 2);
    const broken = { ...account.env, HFT_STORAGE: backend.unreachable() };
    for (const args of [['token'], ['status', '--json']]) {
      const { fast, full } = await both(args, broken);
      same(`unopenable ${args.join(' ')}`, fast, full, 1);
      expect(fast.stderr).toMatch(new RegExp(`${backend.kind} store`));
    }
  });

  it('sealed with another key, and a corrupt record', async () => {
    const masterKey = randomBytes(32).toString('base64');
    const sealed = await upstox.account({ HFT_STORAGE: backend.storage(), HFT_MASTER_KEY: masterKey });
    expect((await upstox.login(sealed)).result.code).toBe(0);
    const good = await both(['token'], sealed.env);
    same('sealed, right key', good.fast, good.full, 0);
    const wrong = await both(['token'], {
      ...sealed.env,
      HFT_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    same('sealed, wrong key', wrong.fast, wrong.full, 1);
    expect(wrong.fast.stderr).toContain('HFT_STORAGE_WRONG_KEY');

    const corrupt = await upstox.account({ HFT_STORAGE: backend.storage() });
    expect((await upstox.login(corrupt)).result.code).toBe(0);
    backend.corrupt(corrupt.env.HFT_STORAGE as string, await accountKeyOf(corrupt.env));
    for (const args of [['token'], ['status', '--json']]) {
      const { fast, full } = await both(args, corrupt.env);
      expect(fast.code, fast.stderr).not.toBe(0);
      same(`corrupt ${args.join(' ')}`, fast, full, fast.code ?? -1);
    }
  });

  it("by name: the reader answers from the store's name index, like the full program, loading no full store", async () => {
    const bob = { mobile: '8888888888', otp: '222222', pin: '222222' };
    upstox.emu.upsertUser({
      ...upstox.emu.defaultUser,
      userId: 'BOB2',
      userName: 'Bob Two',
      email: 'bob@example.com',
      ...bob,
    });
    const desk = await upstox.account({ HFT_STORAGE: backend.storage() });
    expect((await upstox.login(desk, { args: ['--account', 'alice'] })).result.code).toBe(0);
    expect((await upstox.login(desk, { args: ['--account', 'bob'], user: bob })).result.code).toBe(0);
    for (const args of [
      ['--account', 'alice', 'token'],
      ['--account', 'bob', 'token'],
      ['--account', 'bob', 'status', '--json'],
    ]) {
      const { fast, full } = await both(args, desk.env);
      same(args.join(' '), fast, full, 0);
    }
    const bobs = await runCli(['--account', 'bob', 'status', '--json'], { env: desk.env });
    expect(JSON.parse(bobs.stdout).token_info.user_id).toBe('BOB2');
    const nobody = await both(['--account', 'carol', 'token'], desk.env);
    same('unknown name among two', nobody.fast, nobody.full, 2);
    const ambiguous = await both(['token'], desk.env);
    same('two accounts, none chosen', ambiguous.fast, ambiguous.full, 1);
    expect(ambiguous.fast.stderr).toContain('--account NAME');

    const { result, urls } = await traced(['--account', 'bob', 'token'], desk.env);
    expect(result.code, result.stderr).toBe(0);
    expect(urls.filter((url) => FULL_STACK.some((pattern) => pattern.test(url)))).toEqual([]);
  });

  it('hft token loads neither Keyv nor the full store (nor node-redis beyond its reply decoder)', async () => {
    const { result, urls } = await traced(['token'], account.env);
    expect(result.code, result.stderr).toBe(0);
    expect(urls.some((url) => url.endsWith(`/storage-${backend.kind}/dist/reader.cjs`))).toBe(true);
    expect(urls.filter((url) => FULL_STACK.some((pattern) => pattern.test(url)))).toEqual([]);
    // The full program, for contrast, does load them: the tracer would have seen them.
    const full = await traced(['--http-timeout', '5', 'token'], account.env);
    expect(full.urls.filter((url) => FULL_STACK.some((pattern) => pattern.test(url))).length).toBeGreaterThan(
      0,
    );
  });
});
