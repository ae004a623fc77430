import type { ConfigSources, ResolvedConfig } from './config-types.js';
import { CONFIG_FIELDS, type ConfigField, SOURCE_DEFAULT } from './constants.js';
import { maskSecret } from './mask.js';
import { formatStorage } from './storage.js';

/** Printed for a value nobody set. */
export const NOT_SET = '(not set)';

/** One printable line of `hft config`. */
export interface ConfigRow {
  /** Field name, as in issues and `sources` (`baseUrl`, `credentials.clientSecret`...). */
  readonly field: ConfigField;
  /** Display value: secrets masked (`****`), Redis passwords masked, unset shown as `(not set)`. */
  readonly value: string;
  /** Where the value came from: env var name, file path, `options` or `default`. */
  readonly source: string;
}

function display(config: ResolvedConfig, field: ConfigField): string | undefined {
  switch (field) {
    case 'storage':
      return formatStorage(config.storage);
    case 'credentials.clientId':
      return config.credentials.clientId;
    case 'credentials.clientSecret':
      return maskSecret(config.credentials.clientSecret) || undefined;
    case 'credentials.redirectUri':
      return config.credentials.redirectUri;
    default:
      return config[field];
  }
}

/**
 * Rows for printing a config with the origin of each value, in a fixed order (home, configFile,
 * tokenDir, credentialsFile, logFile, baseUrl, orderBaseUrl, storage, logLevel, account,
 * credentials.*). No row ever holds a secret.
 *
 * @param config a resolved config
 * @param sources the `sources` returned with it; a field missing from it shows `default`
 */
export function describeConfig(config: ResolvedConfig, sources: Partial<ConfigSources>): ConfigRow[] {
  return CONFIG_FIELDS.map((field) => ({
    field,
    value: display(config, field) ?? NOT_SET,
    source: sources[field] ?? SOURCE_DEFAULT,
  }));
}
