import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  repository?: { url?: string };
  homepage?: string;
  exports?: Record<string, Record<string, string>>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Every package of packages/* and apps/* that is published (not private), with its directory. */
function publishedPackages(): Array<{ dir: string; manifest: Manifest }> {
  const found = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, group))) {
      const dir = join(ROOT, group, name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
      if (!manifest.private) found.push({ dir, manifest });
    }
  }
  return found;
}

/** A compile of sqlite3 (a cache miss) takes minutes on a loaded 2-core machine; allow for it. */
const INSTALL_TIMEOUT_MS = 600_000;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 120_000) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout,
  });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** The package names a built file loads (`import`, `import()`, `require()`), builtins left out. */
function importedPackages(dir: string, pattern: RegExp): Set<string> {
  const names = new Set<string>();
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (pattern.test(entry.name)) {
        const text = readFileSync(full, 'utf8');
        for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) {
          const spec = m[1] as string;
          const name = spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : (spec.split('/')[0] as string);
          if (!spec.startsWith('node:') && !builtinModules.includes(name)) names.add(name);
        }
      }
    }
  };
  visit(join(dir, 'dist'));
  return names;
}

const published = publishedPackages();
let work = '';
let app = '';
const packed = new Map<string, { tarball: string; manifest: Manifest; files: string[] }>();
let redis: RedisServer | undefined;
let emulator: ChildProcess | undefined;
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  // Under `pnpm test` turbo has built everything; run alone, this builds what is missing or stale.
  for (const { dir } of published) ensureBuilt(dir);
  work = mkdtempSync(join(tmpdir(), 'hft-packed-'));
  const tarballs = join(work, 'tarballs');
  const filters = published.map(({ manifest }) => `--filter=${manifest.name}`);
  const pack = run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', tarballs], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  for (const file of readdirSync(tarballs)) {
    const tarball = join(tarballs, file);
    const manifest = JSON.parse(
      run('tar', ['-xzOf', tarball, 'package/package.json'], work).stdout,
    ) as Manifest;
    const files = run('tar', ['-tzf', tarball], work).stdout.split('\n').filter(Boolean);
    packed.set(manifest.name, { tarball, manifest, files });
  }

  // A project outside the workspace that depends on the tarballs only; every @hft dependency
  // between them is pointed at its tarball, third-party ones come from the local package store.
  app = join(work, 'app');
  cpSync(FIXTURES, app, { recursive: true });
  const tarballOf = Object.fromEntries([...packed].map(([name, { tarball }]) => [name, `file:${tarball}`]));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'hft-packed-app',
      private: true,
      type: 'module',
      // luxon: the optional peer @hft/time's main entry (formatIst) loads.
      dependencies: { ...tarballOf, luxon: '3.7.2' },
      devDependencies: { typescript: '5.9.3', '@types/node': '20.19.43' },
    }),
  );
  writeFileSync(
    join(app, 'pnpm-workspace.yaml'),
    [
      'overrides:',
      ...Object.entries(tarballOf).map(
        ([name, spec]) => `  ${JSON.stringify(name)}: ${JSON.stringify(spec)}`,
      ),
      'allowBuilds:',
      '  sqlite3: true',
      '  esbuild: true',
      '  protobufjs: false',
      '',
    ].join('\n'),
  );
  // The @hft packages come from the tarballs only (overrides above); third-party packages from
  // pnpm's store and metadata cache, which the workspace install filled. --prefer-offline (not
  // --offline): a fresh machine whose cache lacks some metadata fetches just that.
  // The workspace lockfile seeds the app's: third-party packages resolve to the versions the
  // workspace built, so pnpm's side-effects cache serves sqlite3's native build instead of
  // compiling it again (a fresh resolution picks newer transitive versions, another cache key,
  // and a compile that outlasted the timeout on a loaded CI machine).
  writeFileSync(join(app, 'pnpm-lock.yaml'), readFileSync(join(ROOT, 'pnpm-lock.yaml')));
  // --no-frozen-lockfile: the seeded lockfile is the workspace's, never the app's as it stands
  // (pnpm freezes lockfiles by default when CI is set).
  const install = run(
    'pnpm',
    ['install', '--prefer-offline', '--no-frozen-lockfile'],
    app,
    { npm_config_nodedir: '/usr' },
    INSTALL_TIMEOUT_MS,
  );
  expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);

  redis = await startRedis();
  const started = spawn(join(app, 'node_modules/.bin/hft-upstox-emulator'), ['--port', '0'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  emulator = started;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    started.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  env = {
    HFT_HOME: join(work, 'home'),
    HFT_STORAGE: redis.url(),
    UPSTOX_CLIENT_ID: 'emulator-client',
    UPSTOX_CLIENT_SECRET: 'emulator-secret',
    UPSTOX_REDIRECT_URI: 'http://127.0.0.1:5055/callback',
    UPSTOX_BASE_URL: url,
  };
}, INSTALL_TIMEOUT_MS + 180_000);

afterAll(async () => {
  emulator?.kill('SIGTERM');
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed packages', () => {
  it('every published package is packed', () => {
    expect([...packed.keys()].sort()).toEqual(published.map(({ manifest }) => manifest.name).sort());
  });

  it('packed manifests: no workspace-only condition or protocol; exports with a default entry that is in the tarball; LICENSE, repository, homepage', () => {
    for (const [name, { manifest, files }] of packed) {
      const text = JSON.stringify(manifest);
      for (const banned of ['@hft/source', 'workspace:', 'catalog:'])
        expect(text, name).not.toContain(banned);
      expect(manifest.license, name).toBe('MIT');
      expect(files, name).toContain('package/LICENSE');
      expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('MIT License');
      expect(manifest.repository?.url, name).toMatch(/^git\+https:\/\//);
      expect(manifest.homepage, name).toMatch(/^https:\/\//);
      for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
        // Types first, the default last; a `require` build (the storage readers' CommonJS
        // files, for callers that must not start the ES module loader) may sit between them.
        const keys = Object.keys(conditions);
        expect(
          [
            ['types', 'default'],
            ['types', 'require', 'default'],
          ],
          `${name} ${subpath}`,
        ).toContainEqual(keys);
        for (const target of Object.values(conditions))
          expect(files, `${name} ${subpath}`).toContain(`package/${target.slice(2)}`);
      }
      for (const target of Object.values(manifest.bin ?? {}))
        expect(files, name).toContain(`package/${target.slice(2)}`);
    }
  });

  it('runtime dependencies are exactly what the built files load (types packages: what the .d.ts load)', () => {
    for (const [name, { manifest }] of packed) {
      const dir = join(app, 'node_modules', name);
      const code = importedPackages(dir, /\.(c|m)?js$/);
      const types = importedPackages(dir, /\.d\.ts$/);
      const declared = new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      expect(
        [...code].filter((dep) => !declared.has(dep)),
        `${name} loads undeclared packages`,
      ).toEqual([]);
      const unused = Object.keys(manifest.dependencies ?? {}).filter((dep) =>
        dep.startsWith('@types/') ? !types.has(dep.slice('@types/'.length)) : !code.has(dep),
      );
      expect(unused, `${name} depends on packages it never loads`).toEqual([]);
    }
  });

  it('installing @hft/auth-core or a storage package never installs luxon (only @hft/time main entry loads it)', () => {
    const closure = (start: string): Set<string> => {
      const seen = new Set<string>();
      const walk = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const manifest = packed.get(name)?.manifest;
        if (!manifest) return;
        const optional = manifest.peerDependenciesMeta ?? {};
        const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
          (peer) => !optional[peer]?.optional,
        );
        for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...peers]) walk(dep);
      };
      walk(start);
      return seen;
    };
    for (const name of ['@hft/auth-core', '@hft/storage-file', '@hft/storage-redis', '@hft/config']) {
      expect(closure(name).has('luxon'), name).toBe(false);
    }
  });

  it('records what a full install costs', () => {
    const store = join(app, 'node_modules/.pnpm');
    const count = readdirSync(store).filter(
      (entry) => entry !== 'node_modules' && entry !== 'lock.yaml',
    ).length;
    const du = run('du', ['-sb', store], app).stdout.split('\t')[0];
    const tarballBytes = [...packed.values()].reduce((sum, { tarball }) => sum + statSync(tarball).size, 0);
    console.log(
      `packed install: ${packed.size} tarballs (${Math.round(tarballBytes / 1024)} KB), ${count} installed packages (typescript and @types/node included), ${(Number(du) / 1e6).toFixed(1)} MB in node_modules`,
    );
    expect(count).toBeGreaterThan(packed.size);
  });
});

describe('using the installed packages', () => {
  it('a strict NodeNext TypeScript bot compiles (skipLibCheck off) and logs in through the Redis store HFT_STORAGE selects', () => {
    const tsc = run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    const bot = run(process.execPath, ['dist/bot.mjs'], app, env);
    expect(bot.code, bot.stderr).toBe(0);
    const out = JSON.parse(bot.stdout);
    expect(out).toMatchObject({
      store: 'redis',
      userId: 'EMU001',
      expires: expect.stringMatching(/03:30:00 IST$/),
    });
    expect(out.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    const cjs = run(process.execPath, ['check.cjs'], app, env);
    expect(cjs.code, cjs.stderr).toBe(0);
    const read = JSON.parse(cjs.stdout);
    expect(read).toMatchObject({
      store: 'redis',
      fingerprint: out.fingerprint,
      hftError: 'function',
      formatted: '01 Jan 1970, 05:30:00 IST',
      emulator: 'function',
    });
    for (const [name, exports] of read.loaded) expect(exports, name).toBeGreaterThan(0);
    // For the record of what an installed user sees (no secret in either: checked below).
    console.log(`bot.mts (strict NodeNext ESM) printed: ${bot.stdout.trim()}`);
    console.log(`check.cjs (require) printed: ${cjs.stdout.trim()}`);
    for (const text of [bot.stdout, bot.stderr, cjs.stdout, cjs.stderr])
      expect(text).not.toContain('emulator-secret');
  }, 180_000);

  it('a selected backend that is not installed: HFT_STORAGE_PACKAGE_MISSING names the package', () => {
    // Uninstall @hft/storage-sqlite for this run: its links dangle, as if never installed.
    const store = join(app, 'node_modules/.pnpm');
    const moved = readdirSync(store).filter((entry) => entry.startsWith('@hft+storage-sqlite@'));
    expect(moved.length).toBeGreaterThan(0);
    for (const entry of moved) renameSync(join(store, entry), join(work, entry));
    let result: ReturnType<typeof run>;
    try {
      result = run(process.execPath, ['check.cjs'], app, {
        ...env,
        HFT_STORAGE: `sqlite:${join(work, 't.db')}`,
      });
    } finally {
      for (const entry of moved) renameSync(join(work, entry), join(store, entry));
    }
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('HFT_STORAGE_PACKAGE_MISSING');
    expect(result.stderr).toContain('needs the package @hft/storage-sqlite, which is not installed');
  }, 60_000);
});
