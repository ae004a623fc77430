#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isHftError } from '@hft/errors';
import { toIstIso } from '@hft/time/core';
import { APPROVALS_PATH } from './approvals-page.js';
import { resolveCliSettings } from './cli-config.js';
import { startUpstoxEmulator } from './emulator.js';
import type { RequestLogEntry } from './types.js';

const USAGE = `Usage: hft-upstox-emulator [--port N] [--host H] [--config file.json]

Runs a local Upstox login/token server for tests and demos.

  --port, -p N     TCP port (0 = any free port). Env HFT_EMULATOR_PORT. Default 5056.
  --host H         Interface to bind. Default 127.0.0.1.
  --config FILE    JSON file with apps, users, faults, codeTtlMs, rateLimits... Env HFT_EMULATOR_CONFIG.
  --help, -h       Show this help.
`;

// Query values safe to print; everything else (code, state, secrets...) is shown as a bare key.
const PRINTABLE_QUERY = new Set(['client_id', 'redirect_uri', 'response_type', 'segment']);

/** One stderr line per request: no bodies, no Authorization, no code/state values. */
function logLine(entry: RequestLogEntry): string {
  const query = Object.keys(entry.query)
    .map((key) => (PRINTABLE_QUERY.has(key) ? `${key}=${encodeURIComponent(entry.query[key] ?? '')}` : key))
    .join('&');
  const outcome = entry.status === undefined ? 'no response' : String(entry.status);
  const duration = entry.durationMs === undefined ? '' : ` ${entry.durationMs}ms`;
  return `${toIstIso(entry.time)} ${entry.method} ${entry.path}${query ? `?${query}` : ''} -> ${outcome}${duration}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const settings = await resolveCliSettings(values, process.env);
  if (settings.help) {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startUpstoxEmulator({
    ...settings.options,
    onRequest: (entry) => process.stderr.write(`${logLine(entry)}\n`),
  });
  const app = emulator.defaultApp;
  const user = emulator.defaultUser;
  process.stdout.write(
    [
      `Upstox emulator listening on ${emulator.url}`,
      `  test app:   client_id=${app.clientId} client_secret=${app.clientSecret}`,
      `              redirect_uri=${app.redirectUris.join(' ')}`,
      `              notifier_url=${app.notifierUrl ?? '(none; set it with POST /_emulator/apps)'}`,
      `  test user:  user_id=${user.userId} mobile=${user.mobile} otp=${user.otp} pin=${user.pin}`,
      `  login:      ${emulator.authorizeUrl()}`,
      `  approvals:  ${emulator.url}${APPROVALS_PATH}`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping the emulator\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

function isUsageError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return isHftError(error) || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
}

main().catch((error: unknown) => {
  // Usage and config problems exit 2 with their message; anything else is a bug: exit 1.
  const message = isUsageError(error) ? error.message : String(error);
  process.stderr.write(`hft-upstox-emulator: ${message}\n${isUsageError(error) ? USAGE : ''}`);
  process.exit(isUsageError(error) ? 2 : 1);
});
