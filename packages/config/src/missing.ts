import type { ConfigIssue } from '@hft/errors';
import { ENV_VARS, SOURCE_DEFAULT } from './constants.js';

/** The three credential fields, in the order they are reported. */
export const CREDENTIAL_KEYS = ['clientId', 'clientSecret', 'redirectUri'] as const;

/** One of {@link CREDENTIAL_KEYS}. */
export type CredentialKey = (typeof CREDENTIAL_KEYS)[number];

/** snake_case key of each credential field in the credentials file format. */
export const SNAKE_KEYS: Readonly<Record<CredentialKey, string>> = {
  clientId: 'client_id',
  clientSecret: 'client_secret',
  redirectUri: 'redirect_uri',
};

const WHAT: Readonly<Record<CredentialKey, string>> = {
  clientId: 'the API key of your Upstox app',
  clientSecret: 'the API secret of your Upstox app',
  redirectUri: 'the redirect URL registered on your Upstox app',
};

/**
 * The issue for a credential nobody set: names the environment variable and, when known, the
 * credentials file key that would set it.
 *
 * @param key the missing field
 * @param where `env` (only the variable is named), or the credentials file path to suggest too
 * @param source the issue's source; `default` (nothing set it) unless the caller knows better
 */
export function missingCredentialIssue(
  key: CredentialKey,
  where: string,
  source = SOURCE_DEFAULT,
): ConfigIssue {
  const variable = ENV_VARS[key];
  const viaEnv = `export ${variable}=<${WHAT[key]}>`;
  const message =
    where === 'env'
      ? `is not set; set it with: ${viaEnv}`
      : `is not set; set it with: ${viaEnv}, or add "${SNAKE_KEYS[key]}" to ${where} (then chmod 600 ${where})`;
  return { field: `credentials.${key}`, source, message };
}
