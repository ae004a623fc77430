import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type InspectOptions, inspect } from 'node:util';
import { type ConfigIssue, ErrorCodes } from '@hft/errors';
import { invalidArgument } from '@hft/errors/assert';
import * as v from 'valibot';
import { ENV_VARS } from './constants.js';
import { CREDENTIALS_AAD, type FileCipher, unsealCredentials } from './file-cipher.js';
import { configError, toConfigIssues } from './issues.js';
import { MASK } from './mask.js';
import { INSPECT } from './masked-view.js';
import { CREDENTIAL_KEYS, type CredentialKey, missingCredentialIssue, SNAKE_KEYS } from './missing.js';
import { readSettingsFile } from './read-file.js';
import { describeJsonError, parseJsonSafe, sanitizeInput } from './safe-json.js';
import {
  clientIdInput,
  clientIdRules,
  clientSecretInput,
  clientSecretRules,
  credentialsDictSchema,
  recordOnly,
  redirectUriInput,
  redirectUriRules,
} from './schemas.js';
import { permissionWarning, type WarningHandler } from './warnings.js';

/** The three values an Upstox app login needs, in camelCase. */
export interface CredentialsInit {
  /** The app's API key (Upstox calls it `client_id`). */
  clientId: string;
  /** The app's API secret. */
  clientSecret: string;
  /** The redirect URL registered on the app, matched exactly by Upstox. */
  redirectUri: string;
}

/** The credentials file format (`credentials.json`): snake_case keys, secret in clear. */
export interface CredentialsDict {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

/** Options of {@link Credentials.fromFile}. */
export interface CredentialsFileOptions {
  /** Receives a warning when the file is readable by group or others. Default: warnings dropped. */
  onWarning?: WarningHandler;
  /**
   * Decrypts a sealed file (see {@link Credentials.toFile}); plain files read as before.
   * Structurally `@hft/auth-core`'s `RecordCipher`.
   */
  cipher?: FileCipher;
}

/** Options of {@link Credentials.fromDict}. */
export interface CredentialsDictOptions {
  /** Source named in issues (a file path, `options`...). Default `dict`. */
  source?: string;
}

const initSchema = v.object({ clientId: v.string(), clientSecret: v.string(), redirectUri: v.string() });

const contentSchema = v.object({
  clientId: clientIdRules,
  clientSecret: clientSecretRules,
  redirectUri: redirectUriRules,
});

const envSchema = recordOnly(
  v.object(
    {
      [ENV_VARS.clientId]: v.optional(clientIdInput),
      [ENV_VARS.clientSecret]: v.optional(clientSecretInput),
      [ENV_VARS.redirectUri]: v.optional(redirectUriInput),
    },
    'the environment must be an object of strings',
  ),
  'the environment must be an object of strings',
);

const ENV_FIELD: Readonly<Record<string, CredentialKey>> = {
  [ENV_VARS.clientId]: 'clientId',
  [ENV_VARS.clientSecret]: 'clientSecret',
  [ENV_VARS.redirectUri]: 'redirectUri',
};

type PartialValues = Partial<Record<CredentialKey, string>>;

/** Builds credentials from valid parts, or throws `HFT_CONFIG_MISSING` naming each absent one. */
function assemble(values: PartialValues, missingIssue: (key: CredentialKey) => ConfigIssue, from: string) {
  const missing = CREDENTIAL_KEYS.filter((key) => values[key] === undefined).map(missingIssue);
  if (missing.length > 0) {
    throw configError(`Missing Upstox credentials in ${from}`, missing, ErrorCodes.CONFIG_MISSING);
  }
  return new Credentials(values as CredentialsInit);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseDict(
  dict: unknown,
  source: string,
  wholeCode: typeof ErrorCodes.CONFIG_INVALID | typeof ErrorCodes.CONFIG_FILE,
): Credentials {
  const clean = sanitizeInput(dict);
  const missingIssue = (key: CredentialKey) => missingFromDict(key, source);
  const result = v.safeParse(credentialsDictSchema(false), clean);
  if (result.success) return assemble(result.output, missingIssue, source);
  const issues = toConfigIssues(result.issues, {
    prefix: 'credentials',
    wholeField: 'credentials',
    sourceOf: () => source,
  });
  if (!isRecord(clean) || issues.some((issue) => issue.field === 'credentials')) {
    throw configError(`Unusable Upstox credentials in ${source}`, issues, wholeCode);
  }
  const missing = CREDENTIAL_KEYS.filter(
    (key) => clean[key] === undefined && clean[SNAKE_KEYS[key]] === undefined,
  );
  throw configError(`Invalid Upstox credentials in ${source}`, [...issues, ...missing.map(missingIssue)]);
}

function missingFromDict(key: CredentialKey, source: string): ConfigIssue {
  return {
    field: `credentials.${key}`,
    source,
    message: `is missing; expected the key "${SNAKE_KEYS[key]}" (or "${key}")`,
  };
}

/** Creates `dir` (and missing parents) with mode 0700 exactly. */
export async function makePrivateDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  // mkdir's mode is filtered by the umask: set 0700 exactly on every directory created here,
  // and only on those (an existing parent such as /etc is not ours to change).
  for (let current = dir; ; current = dirname(current)) {
    await chmod(current, 0o700);
    if (current === first || dirname(current) === current) break;
  }
}

/**
 * Upstox app credentials: client id (API key), client secret (API secret) and redirect URI.
 *
 * - Factories (`fromEnv`, `fromFile`, `fromDict`) validate and throw {@link ConfigError}; they never
 *   return invalid credentials. The constructor checks only that the three values are strings, so
 *   code can build one from parts and ask {@link Credentials.validate} for the problems.
 * - The secret never leaves through printing: `toString`, `toJSON` (so `JSON.stringify`) and
 *   `util.inspect` show `client_secret: '****'`. Use {@link Credentials.toDict} or
 *   {@link Credentials.toFile} to persist it on purpose.
 */
export class Credentials {
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #redirectUri: string;

  /**
   * @param init the three values, as given (not trimmed, not validated beyond being strings)
   * @throws InputError (`HFT_INPUT_INVALID`) when `init` or one of its values is not a string
   */
  constructor(init: CredentialsInit) {
    const checked = v.safeParse(initSchema, init);
    if (!checked.success) {
      const argument = checked.issues[0] ? (v.getDotPath(checked.issues[0]) ?? 'init') : 'init';
      throw invalidArgument(argument, 'a string');
    }
    this.#clientId = checked.output.clientId;
    this.#clientSecret = checked.output.clientSecret;
    this.#redirectUri = checked.output.redirectUri;
  }

  /** The app's API key (`client_id`). Not a secret: Upstox puts it in the login URL. */
  get clientId(): string {
    return this.#clientId;
  }

  /** The app's API secret. Secret: never log it, never put it in a URL or an error message. */
  get clientSecret(): string {
    return this.#clientSecret;
  }

  /** The redirect URL registered on the app. */
  get redirectUri(): string {
    return this.#redirectUri;
  }

  /**
   * Reads `UPSTOX_CLIENT_ID`, `UPSTOX_CLIENT_SECRET` and `UPSTOX_REDIRECT_URI` (values trimmed).
   *
   * @param env the environment to read; default `process.env`
   * @throws ConfigError `HFT_CONFIG_MISSING` naming every unset variable and how to set it;
   *   `HFT_CONFIG_INVALID` when a value is invalid (an empty variable counts as invalid)
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Credentials {
    const clean = sanitizeInput(env);
    const missingIssue = (key: CredentialKey) => missingCredentialIssue(key, 'env', ENV_VARS[key]);
    const result = v.safeParse(envSchema, clean);
    if (result.success) {
      const values: PartialValues = {};
      for (const [variable, key] of Object.entries(ENV_FIELD)) {
        const value = (result.output as Readonly<Record<string, string | undefined>>)[variable];
        if (value !== undefined) values[key] = value;
      }
      return assemble(values, missingIssue, 'the environment');
    }
    const issues = toConfigIssues(result.issues, {
      wholeField: 'env',
      sourceOf: (key) => key ?? 'env',
      fieldOf: (key) => `credentials.${ENV_FIELD[key] ?? key}`,
    });
    const missing = isRecord(clean)
      ? CREDENTIAL_KEYS.filter((key) => clean[ENV_VARS[key]] === undefined)
      : [];
    throw configError('Invalid Upstox credentials in the environment', [
      ...issues,
      ...missing.map(missingIssue),
    ]);
  }

  /**
   * Parses a credentials object: `{ client_id, client_secret, redirect_uri }` (the file format) or
   * the same keys in camelCase. Values are trimmed; other keys, and `__proto__` / `constructor` /
   * `prototype`, are ignored.
   *
   * @param dict the object
   * @param options `source` names the origin in issues (default `dict`)
   * @throws ConfigError `HFT_CONFIG_INVALID` (not an object, invalid values, both spellings of a key
   *   with different values) or `HFT_CONFIG_MISSING` (keys absent)
   */
  static fromDict(dict: unknown, options: CredentialsDictOptions = {}): Credentials {
    return parseDict(dict, options.source ?? 'dict', ErrorCodes.CONFIG_INVALID);
  }

  /**
   * Reads a credentials JSON file (`{ client_id, client_secret, redirect_uri }`). When the file is
   * accessible by group or others, `options.onWarning` receives a warning naming the file and the
   * fix (`chmod 600 <path>`); the file is still used.
   *
   * @param path the file (relative paths resolve against the process working directory)
   * @throws ConfigError `HFT_CONFIG_MISSING` when the file does not exist or lacks a key;
   *   `HFT_CONFIG_FILE` when it cannot be read, is not JSON, or is not a JSON object;
   *   `HFT_CONFIG_INVALID` when a value is invalid
   */
  static async fromFile(path: string, options: CredentialsFileOptions = {}): Promise<Credentials> {
    const read = await readSettingsFile(path);
    if (read.status === 'missing') {
      const issue = {
        field: 'credentialsFile',
        source: path,
        message: 'does not exist; write one with Credentials.toFile() or set the UPSTOX_* variables',
      };
      throw configError('Upstox credentials file not found', [issue], ErrorCodes.CONFIG_MISSING);
    }
    if (read.status === 'unreadable') {
      const issue = { field: 'credentialsFile', source: path, message: read.message };
      throw configError('Upstox credentials file is unusable', [issue], ErrorCodes.CONFIG_FILE);
    }
    const warning = permissionWarning(path, read.mode);
    if (warning) options.onWarning?.(warning);
    const opened = unsealCredentials(read.text, path, options.cipher);
    if (!opened.ok)
      throw configError('Upstox credentials file is unusable', [opened.issue], ErrorCodes.CONFIG_FILE);
    const parsed = parseJsonSafe(opened.text);
    if (!parsed.ok) {
      const issue = {
        field: 'credentialsFile',
        source: path,
        message: describeJsonError(parsed.error, opened.text),
      };
      throw configError('Upstox credentials file is unusable', [issue], ErrorCodes.CONFIG_FILE);
    }
    return parseDict(parsed.value, path, ErrorCodes.CONFIG_FILE);
  }

  /**
   * Problems with the values held, one issue per field (empty when valid). Unlike the factories
   * this does not trim: surrounding spaces are reported.
   *
   * @param source the source named in the issues; default `credentials`
   */
  validate(source = 'credentials'): ConfigIssue[] {
    const result = v.safeParse(contentSchema, {
      clientId: this.#clientId,
      clientSecret: this.#clientSecret,
      redirectUri: this.#redirectUri,
    });
    if (result.success) return [];
    return toConfigIssues(result.issues, {
      prefix: 'credentials',
      wholeField: 'credentials',
      sourceOf: () => source,
    });
  }

  /**
   * Throws when {@link Credentials.validate} finds problems.
   *
   * @throws ConfigError `HFT_CONFIG_INVALID` with every issue in `details.issues`
   */
  assertValid(source = 'credentials'): void {
    const issues = this.validate(source);
    if (issues.length > 0) throw configError('Invalid Upstox credentials', issues);
  }

  /**
   * The credentials file format, **secret included in clear**: it exists to write files and
   * request bodies. Never log its result; print the object itself (masked) instead.
   */
  toDict(): CredentialsDict {
    return { client_id: this.#clientId, client_secret: this.#clientSecret, redirect_uri: this.#redirectUri };
  }

  /**
   * Writes {@link Credentials.toDict} as JSON to `path` atomically (temp file, fsync, rename via
   * write-file-atomic) with mode 0600. Missing parent directories are created with mode 0700; an
   * existing parent is left as it is. With `options.cipher` (e.g. `cipherFromEnv()` of
   * `@hft/auth-core`) the file holds a sealed AES-256-GCM envelope instead of plain JSON;
   * `fromFile` and `loadConfig` open it given the same cipher.
   *
   * @throws ConfigError `HFT_CONFIG_INVALID` when the values are invalid (nothing is written);
   *   `HFT_CONFIG_FILE` when the directory or file cannot be written
   */
  async toFile(path: string, options: { cipher?: FileCipher } = {}): Promise<void> {
    this.assertValid();
    try {
      await makePrivateDir(dirname(path));
      const plain = `${JSON.stringify(this.toDict(), null, 2)}\n`;
      const content = options.cipher ? `${options.cipher.seal(plain, CREDENTIALS_AAD)}\n` : plain;
      // Loaded here, not up front: reading credentials (every command) never needs it.
      const { default: writeFileAtomic } = await import('write-file-atomic');
      await writeFileAtomic(path, content, {
        mode: 0o600,
        fsync: true,
      });
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const issue = {
        field: 'credentialsFile',
        source: path,
        message: `cannot be written${typeof code === 'string' ? ` (${code})` : ''}`,
      };
      throw configError('Could not save Upstox credentials', [issue], ErrorCodes.CONFIG_FILE, error);
    }
  }

  /** Masked, JSON-safe view: `{ client_id, client_secret: '****', redirect_uri }`. */
  toJSON(): { client_id: string; client_secret: string; redirect_uri: string } {
    return { client_id: this.#clientId, client_secret: MASK, redirect_uri: this.#redirectUri };
  }

  /** `Credentials { client_id: '...', client_secret: '****', redirect_uri: '...' }`. */
  toString(): string {
    return `Credentials ${inspect(this.toJSON(), { breakLength: Number.POSITIVE_INFINITY })}`;
  }

  /** `util.inspect` / `console.log` view, masked like {@link Credentials.toString}. */
  [INSPECT](depth: number, options: InspectOptions): string {
    return depth < 0 ? '[Credentials]' : `Credentials ${inspect(this.toJSON(), options)}`;
  }
}
