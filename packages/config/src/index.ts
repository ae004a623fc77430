export type {
  Config,
  ConfigCredentials,
  ConfigOptions,
  ConfigSources,
  CredentialsSetting,
  ResolvedConfig,
} from './config-types.js';
export {
  CONFIG_FIELDS,
  type ConfigField,
  DEFAULT_BASE_URL,
  DEFAULT_LOG_LEVEL,
  DEFAULT_ORDER_BASE_URL,
  ENV_VARS,
  LOG_LEVELS,
  type LogLevel,
  MIN_CLIENT_SECRET_LENGTH,
  SOURCE_DEFAULT,
} from './constants.js';
export {
  Credentials,
  type CredentialsDict,
  type CredentialsDictOptions,
  type CredentialsFileOptions,
  type CredentialsInit,
} from './credentials.js';
export { saveDefaultAccount } from './default-account.js';
export { type ConfigRow, describeConfig, NOT_SET } from './describe-config.js';
export { CREDENTIALS_AAD, type FileCipher, isSealedText } from './file-cipher.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config.js';
export { MASK, maskSecret, maskUrlPassword } from './mask.js';
export {
  type OpenTokenStoreOptions,
  openTokenStore,
  STORAGE_PACKAGES,
  type StorageImporter,
} from './open-token-store.js';
export {
  type ConfigFileInput,
  type ParseConfigInput,
  type ParseConfigResult,
  parseConfig,
} from './parse-config.js';
export { requireCredentials } from './require-credentials.js';
export {
  type FileStorageSelection,
  formatStorage,
  type RedisStorageSelection,
  type SqliteStorageSelection,
  type StorageSelection,
} from './storage.js';
export type { ConfigWarning, WarningHandler } from './warnings.js';
