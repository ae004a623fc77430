import { homedir as osHomedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ConfigIssue, ErrorCodes } from '@hft/errors';
import * as v from 'valibot';
import type { ConfigOptions, ConfigSources, ResolvedConfig } from './config-types.js';
import { CWD_CONFIG_FILENAME, HOME_CONFIG_FILENAME, SOURCE_DEFAULT, SOURCE_OPTIONS } from './constants.js';
import { type FileCipher, unsealCredentials } from './file-cipher.js';
import { configError } from './issues.js';
import {
  type ConfigFileInput,
  locateCredentialsFile,
  locateHome,
  type ParseConfigInput,
  parseConfig,
} from './parse-config.js';
import { readSettingsFile } from './read-file.js';
import { parseJsonSafe } from './safe-json.js';
import { pathSchema } from './schemas.js';
import { type ConfigWarning, permissionWarning, type WarningHandler } from './warnings.js';

/** Options of {@link loadConfig}: settings (highest precedence) plus where to read the rest. */
export interface LoadConfigOptions extends ConfigOptions {
  /**
   * Config file to read instead of searching `$HFT_HOME/config.json` then `./hft.config.json`.
   * It must exist. Relative to `cwd`.
   */
  configFile?: string;
  /** Environment to read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths and `./hft.config.json`. Default `process.cwd()`. */
  cwd?: string;
  /** The user's home directory (default home is `<homedir>/.hft`). Default `os.homedir()`. */
  homedir?: string;
  /**
   * Receives each warning (a secret-bearing file readable by group or others). Default: none;
   * warnings are also in the returned `warnings`. Library code never prints them itself.
   */
  onWarning?: WarningHandler;
  /**
   * Decrypts a sealed credentials file (written with `Credentials.toFile(path, { cipher })`).
   * Structurally `@hft/auth-core`'s `RecordCipher`, e.g. `cipherFromEnv()`.
   */
  cipher?: FileCipher;
}

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  /** The validated configuration. */
  config: ResolvedConfig;
  /** Where each value came from (for `hft config` and {@link describeConfig}). */
  sources: ConfigSources;
  /** Warnings found while loading, in the order they were found. */
  warnings: ConfigWarning[];
}

type FileReadOutcome =
  | { kind: 'absent' }
  | { kind: 'found'; input: ConfigFileInput; mode: number; text: string }
  | { kind: 'failed'; issue: ConfigIssue };

async function readLayerFile(path: string, field: string, mustExist: boolean): Promise<FileReadOutcome> {
  const read = await readSettingsFile(path);
  if (read.status === 'ok')
    return { kind: 'found', input: { path, text: read.text }, mode: read.mode, text: read.text };
  if (read.status === 'unreadable')
    return { kind: 'failed', issue: { field, source: path, message: read.message } };
  if (!mustExist) return { kind: 'absent' };
  return { kind: 'failed', issue: { field, source: path, message: 'does not exist' } };
}

function holdsSecret(text: string): boolean {
  const parsed = parseJsonSafe(text);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return false;
  const credentials = (parsed.value as { credentials?: unknown }).credentials;
  if (typeof credentials !== 'object' || credentials === null) return false;
  const dict = credentials as Record<string, unknown>;
  return typeof dict.clientSecret === 'string' || typeof dict.client_secret === 'string';
}

/**
 * Gathers configuration from options, the environment, the config file and the credentials file,
 * then validates it with {@link parseConfig}.
 *
 * Precedence, per field: options > environment > config file > credentials file > defaults. The
 * config file is `options.configFile`, else the first of `$HFT_HOME/config.json` and
 * `./hft.config.json` that exists (where `$HFT_HOME` is from options or env, not from a file).
 * The credentials file is the configured `credentialsFile` (default `<home>/credentials.json`);
 * when it does not exist, credentials are simply unset: use {@link requireCredentials} where they
 * are needed. Reads files and the environment only; no network, no clock.
 *
 * @throws ConfigError with every problem in `details.issues` and one per line in the message:
 *   `HFT_CONFIG_FILE` when a file is unreadable, not JSON, not an object, or an explicit
 *   `configFile` does not exist; `HFT_CONFIG_INVALID` for invalid values
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const {
    configFile,
    env = process.env,
    cwd: rawCwd,
    homedir = osHomedir(),
    onWarning,
    cipher,
    ...settings
  } = options;
  const cwd = resolve(rawCwd ?? process.cwd());
  const base: ParseConfigInput = { homedir, cwd, options: settings, env };
  const ioIssues: ConfigIssue[] = [];
  const warnings: ConfigWarning[] = [];

  let file: FileReadOutcome = { kind: 'absent' };
  if (configFile !== undefined) {
    const explicit = v.safeParse(pathSchema({ baseDir: cwd, homedir }, 'a file path'), configFile);
    if (explicit.success) {
      file = await readLayerFile(explicit.output, 'configFile', true);
      if (file.kind === 'found') file.input.source = SOURCE_OPTIONS;
    } else {
      ioIssues.push({ field: 'configFile', source: SOURCE_OPTIONS, message: explicit.issues[0].message });
    }
  } else {
    const home = locateHome(base);
    const candidates = [...(home ? [join(home, HOME_CONFIG_FILENAME)] : []), join(cwd, CWD_CONFIG_FILENAME)];
    for (const candidate of candidates) {
      file = await readLayerFile(candidate, 'configFile', false);
      if (file.kind === 'found') file.input.source = SOURCE_DEFAULT;
      if (file.kind !== 'absent') break;
    }
  }
  if (file.kind === 'failed') ioIssues.push(file.issue);
  const fileInput = file.kind === 'found' ? file.input : undefined;
  if (file.kind === 'found' && holdsSecret(file.text)) {
    const warning = permissionWarning(file.input.path, file.mode);
    if (warning) warnings.push(warning);
  }

  let credentials: FileReadOutcome = { kind: 'absent' };
  const credentialsPath = locateCredentialsFile({ ...base, ...(fileInput ? { file: fileInput } : {}) });
  if (credentialsPath !== undefined) {
    credentials = await readLayerFile(credentialsPath, 'credentialsFile', false);
    if (credentials.kind === 'found') {
      const opened = unsealCredentials(credentials.text, credentialsPath, cipher);
      if (opened.ok) credentials.input = { ...credentials.input, text: opened.text } as ConfigFileInput;
      else credentials = { kind: 'failed', issue: opened.issue };
    }
    if (credentials.kind === 'failed') ioIssues.push(credentials.issue);
    if (credentials.kind === 'found') {
      const warning = permissionWarning(credentialsPath, credentials.mode);
      if (warning) warnings.push(warning);
    }
  }

  for (const warning of warnings) onWarning?.(warning);

  const result = parseConfig({
    ...base,
    ...(fileInput ? { file: fileInput } : {}),
    ...(credentials.kind === 'found' ? { credentialsFile: credentials.input } : {}),
  });
  const issues = [...ioIssues, ...(result.ok ? [] : result.issues)];
  if (issues.length > 0 || !result.ok) {
    const fileProblem = ioIssues.length > 0 || (!result.ok && result.code === ErrorCodes.CONFIG_FILE);
    throw configError(
      fileProblem ? 'Configuration file problem' : 'Invalid configuration',
      issues,
      fileProblem ? ErrorCodes.CONFIG_FILE : ErrorCodes.CONFIG_INVALID,
    );
  }
  return { config: result.config, sources: result.sources, warnings };
}
