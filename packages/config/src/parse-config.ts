import { dirname, isAbsolute, join } from 'node:path';
import { type ConfigIssue, ErrorCodes } from '@hft/errors';
import * as v from 'valibot';
import type { ConfigCredentials, ConfigOptions, ConfigSources, ResolvedConfig } from './config-types.js';
import {
  type ConfigField,
  CREDENTIALS_FILENAME,
  DEFAULT_BASE_URL,
  DEFAULT_HOME_DIRNAME,
  DEFAULT_LOG_LEVEL,
  DEFAULT_ORDER_BASE_URL,
  ENV_VARS,
  SOURCE_DEFAULT,
  SOURCE_INPUT,
  SOURCE_OPTIONS,
} from './constants.js';
import { Credentials } from './credentials.js';
import { type IssueMapping, toConfigIssues } from './issues.js';
import { maskSecret, maskUrlPassword } from './mask.js';
import { withMaskedView } from './masked-view.js';
import { describeJsonError, parseJsonSafe, sanitizeInput } from './safe-json.js';
import {
  accountSchema,
  clientIdInput,
  clientSecretInput,
  credentialsDictSchema,
  logLevelSchema,
  type PathContext,
  pathSchema,
  recordOnly,
  redirectUriInput,
  serviceUrlSchema,
  storageSettingSchema,
  storageStringSchema,
} from './schemas.js';
import { freezeStorage, type StorageSelection } from './storage.js';

/**
 * One file's content for {@link parseConfig}: the raw `text` (parsed here, `__proto__` keys
 * dropped) or already-parsed `data`.
 */
export type ConfigFileInput =
  | {
      /** Absolute path: the issue source, and the base of relative paths inside. */
      path: string;
      /** JSON text. */
      text: string;
      /** How the path was chosen, recorded as the source of `configFile`; default `default`. */
      source?: string;
    }
  | { path: string; data: unknown; source?: string };

/** Everything {@link parseConfig} needs, already gathered. Nothing else is read. */
export interface ParseConfigInput {
  /** Absolute home directory of the user (for the default `~/.hft` and `~` in paths). */
  homedir: string;
  /** Absolute working directory (for relative paths in options and env). */
  cwd: string;
  /** Settings given in code: the highest precedence. */
  options?: ConfigOptions;
  /** Environment variables (only the `HFT_*` / `UPSTOX_*` ones listed in `ENV_VARS` are read). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The config file, when one was found. */
  file?: ConfigFileInput;
  /** The credentials file, when it exists. */
  credentialsFile?: ConfigFileInput;
}

/** Outcome of {@link parseConfig}. */
export type ParseConfigResult =
  | { ok: true; config: ResolvedConfig; sources: ConfigSources }
  | {
      ok: false;
      /** Every problem found, in precedence order of the layers. */
      issues: ConfigIssue[];
      /** `HFT_CONFIG_FILE` when a file is unusable as a whole (not JSON, not an object), else `HFT_CONFIG_INVALID`. */
      code: typeof ErrorCodes.CONFIG_INVALID | typeof ErrorCodes.CONFIG_FILE;
    };

/** One layer's values: the settings of {@link ConfigOptions}, with storage parsed and credentials flattened. */
type Values = Omit<ConfigOptions, 'storage' | 'credentials'> & {
  storage?: StorageSelection;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
};

type ValueKey = keyof Values;

const FIELD_OF: Readonly<Record<ValueKey, ConfigField>> = {
  home: 'home',
  tokenDir: 'tokenDir',
  credentialsFile: 'credentialsFile',
  logFile: 'logFile',
  baseUrl: 'baseUrl',
  orderBaseUrl: 'orderBaseUrl',
  storage: 'storage',
  logLevel: 'logLevel',
  account: 'account',
  clientId: 'credentials.clientId',
  clientSecret: 'credentials.clientSecret',
  redirectUri: 'credentials.redirectUri',
};

const VALUE_KEYS = Object.keys(FIELD_OF) as ValueKey[];

interface Layer {
  values: Values;
  sourceOf: (key: ValueKey) => string;
}

interface LayerResult extends Layer {
  issues: ConfigIssue[];
  /** The file could not be used at all (not JSON, not an object). */
  unusable: boolean;
}

const SETTING_KEYS =
  'home, tokenDir, credentialsFile, logFile, baseUrl, orderBaseUrl, storage, logLevel, account, credentials';

function settingEntries(context: PathContext) {
  return {
    home: v.optional(pathSchema(context, 'a directory')),
    tokenDir: v.optional(pathSchema(context, 'a directory')),
    credentialsFile: v.optional(pathSchema(context, 'a file path')),
    logFile: v.optional(pathSchema(context, 'a file path')),
    baseUrl: v.optional(serviceUrlSchema()),
    orderBaseUrl: v.optional(serviceUrlSchema()),
    storage: v.optional(storageSettingSchema(context)),
    logLevel: v.optional(logLevelSchema()),
    account: v.optional(accountSchema()),
    credentials: v.optional(credentialsDictSchema(true)),
  };
}

function optionsSchema(context: PathContext) {
  const message = 'options must be an object of settings';
  return recordOnly(
    v.objectWithRest(
      settingEntries(context),
      v.never(`is not a known option; expected one of ${SETTING_KEYS}`),
      message,
    ),
    message,
  );
}

function fileSchema(context: PathContext) {
  const message = 'must contain a JSON object of settings';
  return recordOnly(
    v.objectWithRest(
      { ...settingEntries(context), $schema: v.optional(v.string('must be a string (a JSON schema URL)')) },
      v.never(`is not a known setting; expected one of ${SETTING_KEYS} (or $schema)`),
      message,
    ),
    message,
  );
}

function envSchema(context: PathContext) {
  return recordOnly(
    v.object(
      {
        [ENV_VARS.home]: v.optional(pathSchema(context, 'a directory')),
        [ENV_VARS.baseUrl]: v.optional(serviceUrlSchema()),
        [ENV_VARS.orderBaseUrl]: v.optional(serviceUrlSchema()),
        [ENV_VARS.storage]: v.optional(storageStringSchema(context)),
        [ENV_VARS.logLevel]: v.optional(logLevelSchema()),
        [ENV_VARS.account]: v.optional(accountSchema()),
        [ENV_VARS.clientId]: v.optional(clientIdInput),
        [ENV_VARS.clientSecret]: v.optional(clientSecretInput),
        [ENV_VARS.redirectUri]: v.optional(redirectUriInput),
      },
      'env must be an object of strings',
    ),
    'env must be an object of strings',
  );
}

const ENV_TO_KEY: Readonly<Record<string, ValueKey>> = Object.fromEntries(
  Object.entries(ENV_VARS).map(([key, variable]) => [variable, key as ValueKey]),
);

const fileInputSchema = v.object(
  {
    path: v.pipe(
      v.string('must be a string: an absolute file path'),
      v.check(isAbsolute, 'must be an absolute file path'),
    ),
    text: v.optional(v.string('must be a string (JSON text)')),
    data: v.optional(v.unknown()),
    source: v.optional(v.string('must be a string')),
  },
  'must be an object { path, text } or { path, data }',
);

const inputSchema = v.object(
  {
    homedir: v.pipe(
      v.string('must be a string: an absolute directory'),
      v.check(isAbsolute, 'must be an absolute directory'),
    ),
    cwd: v.pipe(
      v.string('must be a string: an absolute directory'),
      v.check(isAbsolute, 'must be an absolute directory'),
    ),
    options: v.optional(v.unknown()),
    env: v.optional(v.unknown()),
    file: v.optional(fileInputSchema),
    credentialsFile: v.optional(fileInputSchema),
  },
  'parseConfig input must be an object { homedir, cwd, options?, env?, file?, credentialsFile? }',
);

type CheckedInput = v.InferOutput<typeof inputSchema>;
type CheckedFile = v.InferOutput<typeof fileInputSchema>;

/** Flattens a parsed settings object into {@link Values}. */
function flatten(output: Record<string, unknown>): Values {
  const credentials = output.credentials as Partial<ConfigCredentials> | undefined;
  const values: Values = {};
  for (const key of VALUE_KEYS) {
    const value =
      key === 'clientId' || key === 'clientSecret' || key === 'redirectUri'
        ? credentials?.[key]
        : output[key];
    if (value !== undefined) (values as Record<string, unknown>)[key] = value;
  }
  return values;
}

function runLayer(
  schema: v.GenericSchema,
  data: unknown,
  mapping: IssueMapping,
  read: (output: Record<string, unknown>) => Values,
  sourceOf: (key: ValueKey) => string,
  isFile = false,
): LayerResult {
  const result = v.safeParse(schema, data);
  if (result.success) {
    return { values: read(result.output as Record<string, unknown>), sourceOf, issues: [], unusable: false };
  }
  const issues = toConfigIssues(result.issues, mapping);
  const unusable = isFile && issues.some((issue) => issue.field === mapping.wholeField);
  return { values: {}, sourceOf, issues, unusable };
}

function optionsLayer(options: unknown, context: PathContext): LayerResult {
  const plain =
    typeof options === 'object' &&
    options !== null &&
    (options as ConfigOptions).credentials instanceof Credentials
      ? {
          ...options,
          credentials: credentialsToSetting((options as { credentials: Credentials }).credentials),
        }
      : options;
  return runLayer(
    optionsSchema(context),
    sanitizeInput(plain),
    { wholeField: 'options', sourceOf: () => SOURCE_OPTIONS },
    flatten,
    () => SOURCE_OPTIONS,
  );
}

function credentialsToSetting(credentials: Credentials) {
  return {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    redirectUri: credentials.redirectUri,
  };
}

function envLayer(env: unknown, context: PathContext): LayerResult {
  return runLayer(
    envSchema(context),
    sanitizeInput(env),
    {
      wholeField: 'env',
      sourceOf: (key) => key ?? SOURCE_INPUT,
      fieldOf: (key) => {
        const known = ENV_TO_KEY[key];
        return known ? FIELD_OF[known] : key;
      },
    },
    (output) => {
      const values: Values = {};
      for (const [variable, key] of Object.entries(ENV_TO_KEY)) {
        if (output[variable] !== undefined) (values as Record<string, unknown>)[key] = output[variable];
      }
      return values;
    },
    (key) => ENV_VARS[key as keyof typeof ENV_VARS] ?? SOURCE_INPUT,
  );
}

/** Parses a file's JSON text or takes its data; a syntax error makes the file unusable. */
function fileData(file: CheckedFile, wholeField: string): { data: unknown } | LayerResult {
  if (file.text !== undefined) {
    const parsed = parseJsonSafe(file.text);
    if (parsed.ok) return { data: parsed.value };
    const issue = {
      field: wholeField,
      source: file.path,
      message: describeJsonError(parsed.error, file.text),
    };
    return { values: {}, sourceOf: () => file.path, issues: [issue], unusable: true };
  }
  return { data: file.data };
}

function configFileLayer(file: CheckedFile, homedir: string): LayerResult {
  const loaded = fileData(file, 'configFile');
  if (!('data' in loaded)) return loaded;
  const context = { baseDir: dirname(file.path), homedir };
  return runLayer(
    fileSchema(context),
    sanitizeInput(loaded.data),
    { wholeField: 'configFile', sourceOf: () => file.path },
    flatten,
    () => file.path,
    true,
  );
}

function credentialsFileLayer(file: CheckedFile): LayerResult {
  const loaded = fileData(file, 'credentialsFile');
  if (!('data' in loaded)) return loaded;
  return runLayer(
    credentialsDictSchema(false),
    sanitizeInput(loaded.data),
    { prefix: 'credentials', wholeField: 'credentialsFile', sourceOf: () => file.path },
    (output) => flatten({ credentials: output }),
    () => file.path,
    true,
  );
}

interface Merged {
  input: CheckedInput;
  layers: LayerResult[];
  values: Values;
  sources: Partial<Record<ValueKey, string>>;
}

/** Validates the input and every layer, then takes each value from the highest layer that has it. */
function mergeLayers(raw: unknown): { ok: false; issues: ConfigIssue[] } | ({ ok: true } & Merged) {
  const checked = v.safeParse(inputSchema, raw);
  if (!checked.success) {
    return {
      ok: false,
      issues: toConfigIssues(checked.issues, { wholeField: 'input', sourceOf: () => SOURCE_INPUT }),
    };
  }
  const input = checked.output;
  const context: PathContext = { baseDir: input.cwd, homedir: input.homedir };
  const layers: LayerResult[] = [];
  if (input.options !== undefined) layers.push(optionsLayer(input.options, context));
  if (input.env !== undefined) layers.push(envLayer(input.env, context));
  if (input.file !== undefined) layers.push(configFileLayer(input.file, input.homedir));
  if (input.credentialsFile !== undefined) layers.push(credentialsFileLayer(input.credentialsFile));
  const values: Values = {};
  const sources: Partial<Record<ValueKey, string>> = {};
  for (const key of VALUE_KEYS) {
    const layer = layers.find((candidate) => candidate.values[key] !== undefined);
    if (layer) {
      (values as Record<string, unknown>)[key] = layer.values[key];
      sources[key] = layer.sourceOf(key);
    }
  }
  return { ok: true, input, layers, values, sources };
}

/** `home` from options, env or the default: where `$HFT_HOME/config.json` is looked for. */
export function locateHome(
  input: Pick<ParseConfigInput, 'homedir' | 'cwd' | 'options' | 'env'>,
): string | undefined {
  const merged = mergeLayers(input);
  if (!merged.ok) return undefined;
  return merged.values.home ?? join(merged.input.homedir, DEFAULT_HOME_DIRNAME);
}

/** The credentials file path the final config will name, even when some other field is invalid. */
export function locateCredentialsFile(input: Omit<ParseConfigInput, 'credentialsFile'>): string | undefined {
  const merged = mergeLayers(input);
  if (!merged.ok) return undefined;
  const home = merged.values.home ?? join(merged.input.homedir, DEFAULT_HOME_DIRNAME);
  return merged.values.credentialsFile ?? join(home, CREDENTIALS_FILENAME);
}

function maskedCredentials(parts: ConfigCredentials): Record<string, unknown> {
  return {
    clientId: parts.clientId,
    clientSecret: maskSecret(parts.clientSecret) || undefined,
    redirectUri: parts.redirectUri,
  };
}

function buildConfig(fields: Omit<ResolvedConfig, 'credentials'>, values: Values): ResolvedConfig {
  const parts = {
    clientId: values.clientId,
    clientSecret: values.clientSecret,
    redirectUri: values.redirectUri,
  };
  const credentials = withMaskedView(parts, 'ConfigCredentials', () => maskedCredentials(parts));
  const config = { ...fields, storage: freezeStorage(fields.storage), credentials };
  // The view is a plain copy with every secret replaced, so even `config.toJSON().credentials`
  // read directly holds no secret.
  return withMaskedView(config, 'Config', () => ({
    ...config,
    storage:
      config.storage.kind === 'redis'
        ? { kind: 'redis', url: maskUrlPassword(config.storage.url) }
        : config.storage,
    credentials: maskedCredentials(credentials),
  }));
}

/**
 * Validates and merges already-gathered configuration layers. **Pure**: no environment, file,
 * clock or process access; the same input always gives the same result, and it never throws.
 *
 * Precedence, per field: `options` > `env` > `file` (config file) > `credentialsFile` > defaults.
 * Every layer is validated in full, so a bad value is reported even when a higher layer
 * overrides it; every problem of every layer is returned at once.
 *
 * @returns `{ ok: true, config, sources }`, or `{ ok: false, issues, code }` where each issue names
 *   the field, its source (env var, file path, `options`, `input`) and what was expected; issue
 *   messages never contain the client secret
 */
export function parseConfig(input: ParseConfigInput): ParseConfigResult {
  const merged = mergeLayers(input);
  if (!merged.ok) return { ok: false, issues: merged.issues, code: ErrorCodes.CONFIG_INVALID };
  const issues = merged.layers.flatMap((layer) => layer.issues);
  if (issues.length > 0) {
    const unusable = merged.layers.some((layer) => layer.unusable);
    return { ok: false, issues, code: unusable ? ErrorCodes.CONFIG_FILE : ErrorCodes.CONFIG_INVALID };
  }
  const { values, input: checked } = merged;
  const source = (key: ValueKey) => merged.sources[key] ?? SOURCE_DEFAULT;
  const home = values.home ?? join(checked.homedir, DEFAULT_HOME_DIRNAME);
  const tokenDir = values.tokenDir ?? join(home, 'tokens');
  const fields: Omit<ResolvedConfig, 'credentials'> = {
    home,
    configFile: checked.file?.path,
    tokenDir,
    credentialsFile: values.credentialsFile ?? join(home, CREDENTIALS_FILENAME),
    logFile: values.logFile ?? join(home, 'logs', 'hft.log'),
    baseUrl: values.baseUrl ?? DEFAULT_BASE_URL,
    orderBaseUrl: values.orderBaseUrl ?? DEFAULT_ORDER_BASE_URL,
    storage: values.storage ?? { kind: 'file', dir: tokenDir },
    logLevel: values.logLevel ?? DEFAULT_LOG_LEVEL,
    account: values.account,
  };
  const sources: ConfigSources = Object.freeze({
    home: source('home'),
    configFile: checked.file ? (checked.file.source ?? SOURCE_DEFAULT) : SOURCE_DEFAULT,
    tokenDir: source('tokenDir'),
    credentialsFile: source('credentialsFile'),
    logFile: source('logFile'),
    baseUrl: source('baseUrl'),
    orderBaseUrl: source('orderBaseUrl'),
    storage: source('storage'),
    logLevel: source('logLevel'),
    account: source('account'),
    'credentials.clientId': source('clientId'),
    'credentials.clientSecret': source('clientSecret'),
    'credentials.redirectUri': source('redirectUri'),
  });
  return { ok: true, config: buildConfig(fields, values), sources };
}
