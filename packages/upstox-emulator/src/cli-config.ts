import { readFile } from 'node:fs/promises';
import { ConfigError, ErrorCodes } from '@hft/errors';
import type { UpstoxEmulatorOptions } from './types.js';

/** Default port of the standalone emulator (next to the default redirect URI's 5055). */
export const DEFAULT_CLI_PORT = 5056;

/** Settings of the standalone bin after flags, environment and config file are merged. */
export interface CliSettings {
  options: UpstoxEmulatorOptions;
  help: boolean;
}

const CONFIG_KEYS = new Set([
  'port',
  'host',
  'apps',
  'users',
  'faults',
  'codeTtlMs',
  'rateLimits',
  'extendedTokenTtlMs',
  'webhookTimeoutMs',
  'sandbox',
]);

function portFrom(text: string, source: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new ConfigError(`${source} must be a port number from 0 to 65535`, {
      details: { issues: [{ field: 'port', source, message: 'must be an integer from 0 to 65535' }] },
    });
  }
  return port;
}

/**
 * Reads a JSON config file holding {@link UpstoxEmulatorOptions} fields (`port`, `host`, `apps`,
 * `users`, `faults`, `codeTtlMs`, `rateLimits`, `extendedTokenTtlMs`, `webhookTimeoutMs`, `sandbox`).
 * @throws ConfigError `HFT_CONFIG_FILE` when the file cannot be read, is not JSON, or has unknown keys.
 */
export async function readConfigFile(path: string): Promise<UpstoxEmulatorOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError(`cannot read emulator config ${path} (${code})`, {
      code: ErrorCodes.CONFIG_FILE,
      cause: error,
      details: { issues: [{ field: 'config', source: path, message: `cannot be read (${code})` }] },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`emulator config ${path} is not valid JSON`, {
      code: ErrorCodes.CONFIG_FILE,
      cause: error,
      details: { issues: [{ field: 'config', source: path, message: 'is not valid JSON' }] },
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`emulator config ${path} must hold a JSON object`, {
      code: ErrorCodes.CONFIG_FILE,
      details: { issues: [{ field: 'config', source: path, message: 'must hold a JSON object' }] },
    });
  }
  const unknown = Object.keys(value).filter((key) => !CONFIG_KEYS.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(`emulator config ${path} has unknown keys: ${unknown.join(', ')}`, {
      code: ErrorCodes.CONFIG_FILE,
      details: {
        issues: unknown.map((key) => ({ field: key, source: path, message: 'is not an emulator option' })),
      },
    });
  }
  return value as UpstoxEmulatorOptions;
}

/**
 * Merges flags over environment (`HFT_EMULATOR_PORT`, `HFT_EMULATOR_CONFIG`) over the config file
 * over defaults (port {@link DEFAULT_CLI_PORT}, host 127.0.0.1).
 * @throws ConfigError for an invalid port or config file.
 */
export async function resolveCliSettings(
  flags: { port?: string; host?: string; config?: string; help?: boolean },
  env: NodeJS.ProcessEnv,
): Promise<CliSettings> {
  if (flags.help) return { options: {}, help: true };
  const configPath = flags.config ?? env.HFT_EMULATOR_CONFIG;
  const options: UpstoxEmulatorOptions = configPath ? await readConfigFile(configPath) : {};
  if (flags.port !== undefined) options.port = portFrom(flags.port, '--port');
  else if (env.HFT_EMULATOR_PORT) options.port = portFrom(env.HFT_EMULATOR_PORT, 'HFT_EMULATOR_PORT');
  else options.port ??= DEFAULT_CLI_PORT;
  if (flags.host !== undefined) options.host = flags.host;
  return { options, help: false };
}
