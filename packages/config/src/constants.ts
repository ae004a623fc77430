/** Log levels accepted by `HFT_LOG_LEVEL` / `logLevel`, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Shortest client secret accepted (4 characters). Upstox secrets are much longer; a shorter
 * value is a copy-paste slip, and it is also below `@hft/logger`'s `MIN_SECRET_LENGTH`, so the
 * logger could not register it for redaction.
 */
export const MIN_CLIENT_SECRET_LENGTH = 4;

// The Upstox hosts are defaulted by the client too: auth-core owns them (on an entry that loads
// no axios) and config re-exports them, so both default to the same host.
/**
 * Upstox REST host used when nothing else is configured (`https://api.upstox.com`), and Upstox
 * order host (`https://api-hft.upstox.com`, the host of the order writes). Owned by
 * `@hft/auth-core/endpoints`.
 */
export { DEFAULT_BASE_URL, DEFAULT_ORDER_BASE_URL } from '@hft/auth-core/endpoints';

/** Log level used when nothing else is configured. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** Directory name under the user's home directory that is the default `home`. */
export const DEFAULT_HOME_DIRNAME = '.hft';

/**
 * Environment variables read by {@link loadConfig} and {@link Credentials.fromEnv}, by config field.
 * Token dir, credentials file and log file have no variable of their own: they follow `HFT_HOME`.
 */
export const ENV_VARS = {
  home: 'HFT_HOME',
  baseUrl: 'UPSTOX_BASE_URL',
  orderBaseUrl: 'UPSTOX_ORDER_BASE_URL',
  storage: 'HFT_STORAGE',
  logLevel: 'HFT_LOG_LEVEL',
  account: 'HFT_ACCOUNT',
  clientId: 'UPSTOX_CLIENT_ID',
  clientSecret: 'UPSTOX_CLIENT_SECRET',
  redirectUri: 'UPSTOX_REDIRECT_URI',
} as const;

/** File name of the config file looked for in `home` (`$HFT_HOME/config.json`). */
export const HOME_CONFIG_FILENAME = 'config.json';

/** File name of the config file looked for in the working directory (`./hft.config.json`). */
export const CWD_CONFIG_FILENAME = 'hft.config.json';

/** File name of the default credentials file in `home`. */
export const CREDENTIALS_FILENAME = 'credentials.json';

/**
 * Every field of a resolved config, as named in issues, `sources` and `describeConfig` rows.
 * Credential fields are dotted because they live under `credentials` in the config file.
 */
export const CONFIG_FIELDS = [
  'home',
  'configFile',
  'tokenDir',
  'credentialsFile',
  'logFile',
  'baseUrl',
  'orderBaseUrl',
  'storage',
  'logLevel',
  'account',
  'credentials.clientId',
  'credentials.clientSecret',
  'credentials.redirectUri',
] as const;

/** One of {@link CONFIG_FIELDS}. */
export type ConfigField = (typeof CONFIG_FIELDS)[number];

/** Source label of a value nobody set (built-in default or derived from `home`). */
export const SOURCE_DEFAULT = 'default';

/** Source label of values passed in code (`loadConfig(options)` / `parseConfig({ options })`). */
export const SOURCE_OPTIONS = 'options';

/** Source label of problems with the `parseConfig` argument itself (for example a relative `cwd`). */
export const SOURCE_INPUT = 'input';
