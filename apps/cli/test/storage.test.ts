import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME } from './helpers/cli.js';
import { tempDir } from './helpers/homes.js';
import { CLI_DIR } from './helpers/paths.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { TestUpstox } from './helpers/upstox.js';

/**
 * Whether the built storage package exports its factory, asked the way the CLI asks: a dynamic
 * import from apps/cli. The sqlite and redis packages may still be in progress elsewhere.
 */
function exportsFactory(specifier: string, factory: string): boolean {
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(specifier)}); process.exit(typeof m[${JSON.stringify(factory)}] === 'function' ? 0 : 1);`,
    ],
    { cwd: CLI_DIR, stdio: 'ignore', timeout: 15_000 },
  );
  return probe.status === 0;
}

const sqliteAvailable = exportsFactory('@hft/storage-sqlite', 'createSqliteTokenStore');
const redisAvailable =
  exportsFactory('@hft/storage-redis', 'createRedisTokenStore') &&
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

describe('storage selection', () => {
  it.skipIf(!sqliteAvailable)(
    '--storage sqlite:<path>: login and token go through the SQLite file',
    async () => {
      const db = join(tempDir('sqlite-'), 't.db');
      const account = await upstox.account();
      const flags = ['--storage', `sqlite:${db}`];
      const { result } = await upstox.login(account, { args: flags });
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(db)).toBe(true);
      expect(statSync(db).mode & 0o077).toBe(0);
      const token = await runCli([...flags, 'token'], { env: account.env });
      expect(token.code, token.stderr).toBe(0);
      expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const status = await runCli([...flags, 'status'], { env: account.env });
      expect(status.stdout).toMatch(new RegExp(`^Store\\s+sqlite:${db}$`, 'm'));
      // The default file store of the same home holds nothing: the flag really chose the store.
      expect((await runCli(['token'], { env: account.env })).code).toBe(3);
      // The same selection through HFT_STORAGE.
      const viaEnv = await runCli(['token'], { env: { ...account.env, HFT_STORAGE: `sqlite:${db}` } });
      expect(viaEnv.stdout).toBe(token.stdout);
    },
  );

  describe.skipIf(!redisAvailable)('HFT_STORAGE=redis://', () => {
    let redis: TestRedis | undefined;
    let url = '';
    beforeAll(async () => {
      redis = await startRedis();
      url = redis.url;
    });
    afterAll(() => redis?.stop());

    it('login then token through Redis; another HFT_HOME on the same Redis sees the same token', async () => {
      const account = await upstox.account({ HFT_STORAGE: url });
      const { result } = await upstox.login(account);
      expect(result.code, result.stderr).toBe(0);
      const token = await runCli(['token'], { env: account.env });
      expect(token.code, token.stderr).toBe(0);
      expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const status = await runCli(['status'], { env: account.env });
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^Store\\s+${url}$`, 'm'));
      const elsewhere = await upstox.account({ HFT_STORAGE: url });
      const shared = await runCli(['token'], { env: elsewhere.env });
      expect(shared.stdout).toBe(token.stdout);
      // Nothing was written to the file store.
      expect(existsSync(join(account.home, 'tokens'))).toBe(false);
    });
  });
});

describe('a storage package that is not installed', () => {
  it('names the package and how to install it; exit 1', async () => {
    // A copy of the built CLI whose node_modules has every dependency but @hft/storage-sqlite.
    const root = tempDir('no-sqlite-');
    cpSync(join(CLI_DIR, 'dist'), join(root, 'dist'), { recursive: true });
    cpSync(join(CLI_DIR, 'package.json'), join(root, 'package.json'));
    const modules = join(root, 'node_modules');
    mkdirSync(join(modules, '@hft'), { recursive: true });
    const source = join(CLI_DIR, 'node_modules');
    for (const entry of readdirSync(source)) {
      if (entry === '@hft' || entry === '.bin') continue;
      symlinkSync(realpathSync(join(source, entry)), join(modules, entry));
    }
    for (const entry of readdirSync(join(source, '@hft'))) {
      if (entry === 'storage-sqlite') continue;
      symlinkSync(realpathSync(join(source, '@hft', entry)), join(modules, '@hft', entry));
    }
    const account = await upstox.account();
    const db = join(root, 'x.db');
    const result = await runCli(['--storage', `sqlite:${db}`, 'token'], {
      env: account.env,
      script: join(root, 'dist', 'hft.cjs'),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('needs the package @hft/storage-sqlite, which is not installed');
    expect(result.stderr).toContain('pnpm add @hft/storage-sqlite');
    expect(result.stderr).toContain('HFT_STORAGE_PACKAGE_MISSING');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(db)).toBe(false);
    // The same copy works with the default file store: only the missing package was the problem.
    const plain = await runCli(['status'], { env: account.env, script: join(root, 'dist', 'hft.cjs') });
    expect(plain.code).toBe(3);
    expect(plain.stdout).toContain('Not logged in');
  });
});
