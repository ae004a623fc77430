#!/usr/bin/env node
// `npm run setup`: everything a fresh Debian machine with Node 20 lacks, then the workspace
// install. Runs with plain npm so it works before pnpm exists. Idempotent: a ready machine
// only pays for a warm `pnpm install` (well under a second).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PNPM_VERSION = '12.4.2';
// Debian packages the tests drive for real: a redis-server they start on a free port, and
// Chromium for the login-page browser tests.
const DEBIAN_PACKAGES = [
  { pkg: 'redis-server', bin: 'redis-server' },
  { pkg: 'chromium', bin: 'chromium' },
];
const root = fileURLToPath(new URL('../..', import.meta.url));
// sqlite3 compiles from source; node-gyp must use the machine's Node headers (no downloads here).
const env = {
  ...process.env,
  npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr',
  TURBO_TELEMETRY_DISABLED: '1',
};

function run(cmd, args, opts = {}) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`[setup] failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`[setup] Node ${process.versions.node} is too old: @hft needs Node >= 20.19.`);
  process.exit(1);
}

const missing = DEBIAN_PACKAGES.filter((p) => !has(p.bin)).map((p) => p.pkg);
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `[setup] missing: ${missing.join(', ')}. Install them (as root):\n` +
        `  apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
    process.exit(1);
  }
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const pnpmVersion = spawnSync('pnpm', ['--version'], { encoding: 'utf8' }).stdout?.trim();
if (pnpmVersion !== PNPM_VERSION) run('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`]);

run('pnpm', ['install', '--frozen-lockfile']);
// Build once so `pnpm hft ...` works right away (turbo caches it; later runs are instant).
run('pnpm', ['build']);
console.log('[setup] ready');
