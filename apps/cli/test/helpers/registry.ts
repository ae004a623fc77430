import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { UpstoxEmulator } from '@hft/upstox-emulator';

/** One finished CLI run, kept for the secret scan. */
export interface RecordedRun {
  args: readonly string[];
  stdout: string;
  stderr: string;
  /** `hft token`: its stdout is the one place an access token may appear. */
  tokenCommand: boolean;
}

/** What a registered secret is. */
export type SecretKind = 'client secret' | 'access token' | 'extended token' | 'auth code';

// Everything below is per test file: vitest runs each file in its own process, and the setup
// file scans what that file collected in an afterAll.
const runs: RecordedRun[] = [];
const secrets = new Map<string, SecretKind>();
const homes = new Set<string>();
const emulators = new Set<UpstoxEmulator>();

/** A JWT anywhere in printed text: catches tokens the tests never saw (the demo's, say). */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

/** Remembers a value that must never be printed or logged (values under 8 characters are ignored). */
export function registerSecret(kind: SecretKind, value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= 8) secrets.set(value, kind);
}

/** Remembers a CLI run's output. */
export function recordRun(run: RecordedRun): void {
  runs.push(run);
}

/** Remembers an HFT_HOME whose log file is scanned (and whose token files are harvested). */
export function registerHome(home: string): void {
  homes.add(home);
}

/** Remembers an emulator: every code, secret and bearer token it received is a secret. */
export function registerEmulator(emu: UpstoxEmulator): void {
  emulators.add(emu);
}

/** Reads the token files under `$HFT_HOME/tokens` and registers their tokens as secrets. */
export function harvestHome(home: string): void {
  const dir = join(home, 'tokens');
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
      registerSecret('access token', record.access_token as string);
      registerSecret('extended token', record.extended_token as string);
    } catch {
      // A file being replaced right now; the next harvest reads it.
    }
  }
}

function harvestEmulators(): void {
  for (const emu of emulators) {
    for (const request of emu.requests) {
      const body = request.body as Record<string, unknown> | undefined;
      if (body && typeof body === 'object') {
        registerSecret('auth code', body.code as string);
        registerSecret('client secret', body.client_secret as string);
      }
      const authorization = request.headers.authorization;
      if (typeof authorization === 'string')
        registerSecret('access token', authorization.replace(/^Bearer /i, ''));
    }
  }
}

/**
 * What of `known` (value -> kind) appears in `text`, plus any JWT-shaped string, as findings
 * naming `where`. With `allowAccessToken`, access tokens (and JWTs) are allowed: `hft token`'s stdout.
 */
export function findSecretsIn(
  text: string,
  where: string,
  known: ReadonlyMap<string, SecretKind>,
  allowAccessToken = false,
): string[] {
  const found: string[] = [];
  for (const [value, kind] of known) {
    if (allowAccessToken && kind === 'access token') continue;
    if (text.includes(value)) found.push(`${kind} in ${where}`);
  }
  if (!allowAccessToken && JWT.test(text)) found.push(`a JWT in ${where}`);
  return found;
}

/**
 * Scans every recorded output and every registered home's log file for the registered secrets
 * and for anything shaped like a JWT. Returns the findings (empty when clean) and how much was
 * scanned, so a scan that saw nothing cannot pass silently.
 */
export function scanForSecrets(): { findings: string[]; runs: number; logs: number; secrets: number } {
  for (const home of homes) harvestHome(home);
  harvestEmulators();
  const findings: string[] = [];
  for (const run of runs) {
    const label = `hft ${run.args.join(' ')}`;
    findings.push(...findSecretsIn(run.stderr, `stderr of ${label}`, secrets));
    if (run.tokenCommand) {
      findings.push(...findSecretsIn(run.stdout, `stdout of ${label}`, secrets, true));
      // Only the access token itself, on one line: no extended token, no JWT-shaped extra.
      const lines = run.stdout.split('\n').filter(Boolean);
      if (lines.length > 1) findings.push(`more than one line on stdout of ${label}`);
    } else findings.push(...findSecretsIn(run.stdout, `stdout of ${label}`, secrets));
  }
  let logs = 0;
  for (const home of homes) {
    const log = join(home, 'logs', 'hft.log');
    if (!existsSync(log)) continue;
    logs += 1;
    const mode = statSync(log).mode & 0o777;
    if (mode !== 0o600) findings.push(`${log} has mode ${mode.toString(8)}, not 600`);
    findings.push(...findSecretsIn(readFileSync(log, 'utf8'), log, secrets));
  }
  return { findings, runs: runs.length, logs, secrets: secrets.size };
}

/** The secrets registered so far (a copy). */
export function registeredSecrets(): Map<string, SecretKind> {
  harvestEmulators();
  for (const home of homes) harvestHome(home);
  return new Map(secrets);
}
