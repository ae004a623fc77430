import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { TokenStore } from '@hft/auth-core/store';
import { type LoadedConfig, requireCredentials } from '@hft/config';
import { isHftError } from '@hft/errors';
import { describeLooseMode, isWritableByOthers } from '@hft/storage-file';
import { formatIst, systemClock } from '@hft/time';
import type { CommandContext } from '../context.js';
import { currentRecord } from '../current-record.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration } from '../format.js';
import { loopbackTarget } from '../login/loopback.js';
import { assertStoreWritable } from '../store-write-check.js';
import { staticIpCheck } from './doctor-static-ip.js';

/** Loose token files named one by one in a doctor finding; the rest are counted. */
const LISTED_FILES = 5;

/** One check's outcome. `warn` does not fail the run. */
interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

const CLOCK_TOLERANCE_MS = 5_000;

/**
 * `hft doctor`: checks what most often breaks a daily login, each with the fix. Exit 1 when a
 * check fails.
 */
export async function run(ctx: CommandContext, options: { json?: boolean }): Promise<number> {
  const checks: Check[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = await ctx.config();
    checks.push({ name: 'config', status: 'pass', detail: `loaded (home ${loaded.config.home})` });
  } catch (error) {
    checks.push({
      name: 'config',
      status: 'fail',
      detail: message(error),
      fix: 'Correct the settings named above (run `hft config` once it loads)',
    });
  }
  if (loaded) {
    const { config } = loaded;
    checks.push(credentialsCheck(config));
    checks.push(await redirectCheck(config.credentials.redirectUri));
    checks.push(await clockCheck(config.baseUrl));
    checks.push(...(await storeChecks(ctx, config)));
    checks.push(await logDirCheck(config.logFile));
    checks.push(timeZoneCheck());
    if (checks.every((c) => c.name !== 'credentials' || c.status === 'pass'))
      checks.push(await staticIpCheck(ctx));
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  if (options.json) {
    ctx.output.json({ ok: failed === 0, checks });
  } else {
    for (const c of checks) {
      const mark = c.status === 'pass' ? 'PASS' : c.status === 'warn' ? 'WARN' : 'FAIL';
      ctx.output.out(`${mark}  ${c.name}: ${c.detail}`);
      if (c.fix && c.status !== 'pass') ctx.output.out(`      fix: ${c.fix}`);
    }
    ctx.output.out(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  }
  return failed === 0 ? ExitCode.OK : ExitCode.FAILURE;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\n/g, '; ') : String(error);
}

function credentialsCheck(config: LoadedConfig['config']): Check {
  try {
    const credentials = requireCredentials(config);
    return {
      name: 'credentials',
      status: 'pass',
      detail: `client id ${credentials.clientId}, secret set, redirect URI ${credentials.redirectUri}`,
    };
  } catch (error) {
    return {
      name: 'credentials',
      status: 'fail',
      detail: message(error),
      fix: 'Set UPSTOX_CLIENT_ID, UPSTOX_CLIENT_SECRET and UPSTOX_REDIRECT_URI (or $HFT_HOME/credentials.json, mode 0600)',
    };
  }
}

async function redirectCheck(redirectUri: string | undefined): Promise<Check> {
  const name = 'redirect URI';
  if (!redirectUri)
    return {
      name,
      status: 'fail',
      detail: 'not set',
      fix: 'Set UPSTOX_REDIRECT_URI, e.g. http://127.0.0.1:5055/callback',
    };
  let target: ReturnType<typeof loopbackTarget>;
  try {
    target = loopbackTarget(redirectUri);
  } catch (error) {
    return {
      name,
      status: 'warn',
      detail: message(error),
      fix: 'Browser login needs a loopback redirect URI; `hft login --paste` and `hft login --request` work without one',
    };
  }
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(target.port, target.host, () => server.close(() => resolve(true)));
  });
  return free
    ? { name, status: 'pass', detail: `${redirectUri} is loopback and port ${target.port} is free` }
    : {
        name,
        status: 'fail',
        detail: `port ${target.port} on ${target.host} is in use, so the login callback cannot be received`,
        fix: 'Stop the program using it, or register another port on the Upstox app and update UPSTOX_REDIRECT_URI',
      };
}

async function clockCheck(baseUrl: string): Promise<Check> {
  const name = 'clock';
  const sentAt = systemClock.now();
  try {
    const response = await fetch(new URL('/v2/login/authorization/dialog', baseUrl), {
      redirect: 'manual',
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    const receivedAt = systemClock.now();
    const header = response.headers.get('date');
    if (!header)
      return { name, status: 'warn', detail: `${baseUrl} sent no Date header; cannot compare clocks` };
    const broker = Date.parse(header);
    // The header has 1 s resolution: compare with the midpoint of the round trip.
    const skew = (sentAt + receivedAt) / 2 - broker;
    const detail = `host clock is ${Math.abs(Math.round(skew / 1000))} s ${skew >= 0 ? 'ahead of' : 'behind'} ${baseUrl}`;
    return Math.abs(skew) <= CLOCK_TOLERANCE_MS + 1000
      ? { name, status: 'pass', detail }
      : {
          name,
          status: 'fail',
          detail,
          fix: 'Synchronise the clock (timedatectl set-ntp true); expiry at 03:30 IST is computed from it',
        };
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: `could not reach ${baseUrl}: ${message(error)}`,
      fix: 'Check the network, proxy and UPSTOX_BASE_URL',
    };
  }
}

async function storeChecks(ctx: CommandContext, config: LoadedConfig['config']): Promise<Check[]> {
  const checks: Check[] = [];
  // Measured before the store opens: opening the file store tightens loose modes (and says so
  // on stderr), and doctor must report what it found, not what the store already repaired.
  const permissions = config.storage.kind === 'file' ? await filePermissions(config.storage.dir) : undefined;
  try {
    const store = await ctx.store();
    const keys = await store.list();
    checks.push({
      name: 'store',
      status: 'pass',
      detail: `${store.name} store reachable, ${keys.length} account(s)`,
    });
  } catch (error) {
    checks.push({
      name: 'store',
      status: 'fail',
      detail: message(error),
      fix:
        isHftError(error) && error.code === 'HFT_STORAGE_PACKAGE_MISSING'
          ? 'Install the package named above'
          : 'Check HFT_STORAGE and that the backend is up',
    });
    return checks;
  }
  checks.push(await writableCheck(await ctx.store()));
  if (permissions) checks.push(permissions);
  if (config.storage.kind === 'file') checks.push(await quarantineCheck(config.storage.dir));
  if (config.storage.kind === 'sqlite')
    checks.push(await modeCheck('store permissions', config.storage.path, 0o600));
  try {
    const record = await currentRecord(ctx);
    const now = systemClock.now();
    const daily = record?.tokens.daily;
    const others = record ? Object.keys(record.tokens).filter((kind) => kind !== 'daily') : [];
    const also = others.length > 0 ? `; also held: ${others.join(', ')}` : '';
    if (!record)
      checks.push({ name: 'token', status: 'warn', detail: 'no token stored', fix: 'Run: hft login' });
    else if (!daily)
      checks.push({
        name: 'token',
        status: 'warn',
        detail: `no daily token${also}`,
        fix: 'For orders, run: hft login',
      });
    else if (daily.expiresAt <= now)
      checks.push({
        name: 'token',
        status: 'warn',
        detail: `expired at ${formatIst(daily.expiresAt)}${also}`,
        fix: 'Run: hft login',
      });
    else
      checks.push({
        name: 'token',
        status: 'pass',
        detail: `${record.userId}, valid for ${formatDuration(daily.expiresAt - now)} (until ${formatIst(daily.expiresAt)})${also}`,
      });
  } catch (error) {
    checks.push({
      name: 'token',
      status: 'warn',
      detail: message(error),
      fix: 'Choose an account with --account NAME',
    });
  }
  return checks;
}

/** Writes and deletes a probe record: a store that reads but cannot be written loses the next login. */
async function writableCheck(store: TokenStore): Promise<Check> {
  try {
    await assertStoreWritable(store);
    return {
      name: 'store writable',
      status: 'pass',
      detail: `a test record was written to and removed from the ${store.name} store`,
    };
  } catch (error) {
    return {
      name: 'store writable',
      status: 'fail',
      detail: message(error),
      fix: 'Make the store writable for this user (directory permissions, disk space, database or Redis ACL) before logging in',
    };
  }
}

/** Records the file store could not read are moved aside as `*.corrupt-*`: say so, they hold tokens. */
async function quarantineCheck(dir: string): Promise<Check> {
  const name = 'quarantined files';
  try {
    const found = (await readdir(dir)).filter((entry) => entry.includes('.corrupt-'));
    if (found.length === 0) return { name, status: 'pass', detail: 'no unreadable records were set aside' };
    const shown = found.slice(0, 5).join(', ') + (found.length > 5 ? ` and ${found.length - 5} more` : '');
    return {
      name,
      status: 'warn',
      detail: `${found.length} unreadable record(s) were set aside in ${dir}: ${shown}`,
      fix: `Look at them, then delete them (they may hold tokens): rm ${dir}/*.corrupt-*`,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { name, status: 'pass', detail: `${dir} does not exist yet` };
    return { name, status: 'warn', detail: message(error) };
  }
}

/** `path is 0777 (world-writable, ...)`: the mode, and what it lets others do. */
function modeDetail(path: string, mode: number): string {
  const loose = describeLooseMode(mode);
  return `${path} is 0${mode.toString(8)}${loose ? ` (${loose})` : ''}`;
}

async function filePermissions(dir: string): Promise<Check> {
  const name = 'store permissions';
  try {
    const dirMode = (await stat(dir)).mode & 0o777;
    const loose: string[] = [];
    const fixes: string[] = [];
    if (dirMode & 0o077) {
      loose.push(modeDetail(dir, dirMode));
      fixes.push(`chmod 700 ${dir}`);
    }
    const looseFiles: string[] = [];
    for (const entry of await readdir(dir)) {
      if (!entry.endsWith('.json')) continue;
      const mode = (await stat(join(dir, entry))).mode & 0o777;
      if (mode & 0o077) {
        // A message never lists unbounded data: five files by name, then how many more.
        if (looseFiles.length < LISTED_FILES) loose.push(modeDetail(entry, mode));
        looseFiles.push(join(dir, entry));
      }
    }
    if (looseFiles.length > LISTED_FILES)
      loose.push(`and ${looseFiles.length - LISTED_FILES} more token files`);
    if (looseFiles.length > LISTED_FILES) fixes.push(`chmod 600 ${join(dir, '*.json')}`);
    else if (looseFiles.length > 0) fixes.push(`chmod 600 ${looseFiles.join(' ')}`);
    if (isWritableByOthers(dirMode))
      loose.push('others could have added or replaced token files in it: check them');
    return loose.length === 0
      ? { name, status: 'pass', detail: `${dir} and its token files are private (0700/0600)` }
      : { name, status: 'fail', detail: loose.join(', '), fix: fixes.join(' && ') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { name, status: 'pass', detail: `${dir} does not exist yet (created 0700 at first login)` };
    return { name, status: 'fail', detail: message(error) };
  }
}

async function modeCheck(name: string, path: string, wanted: number): Promise<Check> {
  try {
    const mode = (await stat(path)).mode & 0o777;
    return mode & ~wanted & 0o777
      ? {
          name,
          status: 'fail',
          detail: modeDetail(path, mode),
          fix: `chmod ${wanted.toString(8)} ${path}`,
        }
      : { name, status: 'pass', detail: `${path} is 0${mode.toString(8)}` };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { name, status: 'pass', detail: `${path} does not exist yet` };
    return { name, status: 'fail', detail: message(error) };
  }
}

async function logDirCheck(logFile: string): Promise<Check> {
  const name = 'log directory';
  const dir = dirname(logFile);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.W_OK);
    const probe = join(dir, `.doctor-${process.pid}`);
    await writeFile(probe, '', { mode: 0o600 });
    await rm(probe, { force: true });
    return { name, status: 'pass', detail: `${dir} is writable` };
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: `${dir}: ${message(error)}`,
      fix: `Make ${dir} writable, or set HFT_HOME elsewhere`,
    };
  }
}

function timeZoneCheck(): Check {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return {
    name: 'time zone',
    status: 'pass',
    detail: `host zone ${zone}; now ${formatIst(systemClock.now())} (expiry is computed in IST whatever the host zone)`,
  };
}
