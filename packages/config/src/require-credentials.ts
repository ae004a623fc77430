import { ErrorCodes } from '@hft/errors';
import { invalidArgument } from '@hft/errors/assert';
import * as v from 'valibot';
import type { ResolvedConfig } from './config-types.js';
import { Credentials } from './credentials.js';
import { configError } from './issues.js';
import { CREDENTIAL_KEYS, missingCredentialIssue } from './missing.js';

const configShape = v.object({
  credentialsFile: v.string(),
  credentials: v.object({
    clientId: v.optional(v.string()),
    clientSecret: v.optional(v.string()),
    redirectUri: v.optional(v.string()),
  }),
});

/**
 * The config's credentials as {@link Credentials}, for commands that talk to Upstox's login.
 *
 * @param config a config from {@link loadConfig} / {@link parseConfig}
 * @returns credentials with all three values (already validated when the config was parsed)
 * @throws ConfigError `HFT_CONFIG_MISSING` with one issue per missing value, each naming its
 *   environment variable and the credentials file key that would set it
 * @throws InputError when `config` is not a resolved config
 */
export function requireCredentials(config: ResolvedConfig): Credentials {
  if (!v.is(configShape, config)) {
    throw invalidArgument('config', 'a resolved config (from loadConfig or parseConfig)');
  }
  const parts = config.credentials;
  const missing = CREDENTIAL_KEYS.filter((key) => parts[key] === undefined).map((key) =>
    missingCredentialIssue(key, config.credentialsFile),
  );
  if (missing.length > 0) {
    throw configError(
      'Upstox credentials are required but not configured',
      missing,
      ErrorCodes.CONFIG_MISSING,
    );
  }
  return new Credentials({
    clientId: parts.clientId as string,
    clientSecret: parts.clientSecret as string,
    redirectUri: parts.redirectUri as string,
  });
}
