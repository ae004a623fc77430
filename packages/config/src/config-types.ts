import type { ConfigField, LogLevel } from './constants.js';
import type { Credentials } from './credentials.js';
import type { StorageSelection } from './storage.js';

/**
 * The credentials part of a resolved config. Any of the three may be unset: commands such as
 * `hft status` run without them; {@link requireCredentials} turns them into {@link Credentials} or
 * names what is missing. `toJSON` / `toString` / `util.inspect` mask the secret.
 */
export interface ConfigCredentials {
  readonly clientId: string | undefined;
  /** Secret. Masked whenever the object is printed or serialised. */
  readonly clientSecret: string | undefined;
  readonly redirectUri: string | undefined;
}

/**
 * A complete, validated configuration. All paths are absolute. Frozen; its `toJSON`, `toString`
 * and `util.inspect` views mask the client secret and any password in a Redis URL.
 */
export interface ResolvedConfig {
  /** `HFT_HOME`; default `~/.hft`. */
  readonly home: string;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
  /** Directory of the default file token store; default `<home>/tokens`. */
  readonly tokenDir: string;
  /** Credentials file; default `<home>/credentials.json`. It need not exist. */
  readonly credentialsFile: string;
  /** Log file; default `<home>/logs/hft.log`. */
  readonly logFile: string;
  /** `UPSTOX_BASE_URL`: REST host, no trailing slash; default `https://api.upstox.com`. */
  readonly baseUrl: string;
  /** `UPSTOX_ORDER_BASE_URL`: order host, no trailing slash; default `https://api-hft.upstox.com`. */
  readonly orderBaseUrl: string;
  /** `HFT_STORAGE`: which token store to open; default `{ kind: 'file', dir: tokenDir }`. */
  readonly storage: StorageSelection;
  /** `HFT_LOG_LEVEL`; default `info`. */
  readonly logLevel: LogLevel;
  /** `HFT_ACCOUNT`: name of the default account, when set. */
  readonly account: string | undefined;
  /** Upstox app credentials, possibly incomplete. */
  readonly credentials: ConfigCredentials;
}

/** Short name of {@link ResolvedConfig}. */
export type Config = ResolvedConfig;

/**
 * Where each final value came from: an environment variable name (`UPSTOX_BASE_URL`), a file
 * path, `options`, or `default` (built-in default, derived from `home`, or not set at all).
 */
export type ConfigSources = Readonly<Record<ConfigField, string>>;

/** A credentials object in options or a config file: camelCase or snake_case keys, all optional. */
export interface CredentialsSetting {
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  client_id?: string;
  client_secret?: string;
  redirect_uri?: string;
}

/**
 * Settings given in code. The config file holds the same keys (plus an optional `$schema`).
 * Relative paths resolve against the working directory (in a config file: against the file's
 * directory); a leading `~` is the user's home directory.
 */
export interface ConfigOptions {
  /** Home directory of @hft files. */
  home?: string;
  /** Directory of the default file token store. */
  tokenDir?: string;
  /** Credentials JSON file to read (and the place to save credentials). */
  credentialsFile?: string;
  /** Log file. */
  logFile?: string;
  /** Upstox REST host: https, or http on a loopback host. */
  baseUrl?: string;
  /** Upstox order host: https, or http on a loopback host. */
  orderBaseUrl?: string;
  /** `file:<dir>`, `sqlite:<path>`, `redis://...`, `rediss://...`, or the object form. */
  storage?: string | StorageSelection;
  /** `error`, `warn`, `info` or `debug`. */
  logLevel?: LogLevel;
  /** Name of the default account. */
  account?: string;
  /** App credentials (any subset), as a {@link Credentials} or a plain object. */
  credentials?: Credentials | CredentialsSetting;
}
