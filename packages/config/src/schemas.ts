import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { LOG_LEVELS, MIN_CLIENT_SECRET_LENGTH } from './constants.js';
import { maskUrlPassword } from './mask.js';
import { splitStorageSpec } from './storage.js';

/** How relative paths and `~` are resolved for one layer of settings. */
export interface PathContext {
  /** Absolute directory relative paths are resolved against (cwd, or the file's directory). */
  readonly baseDir: string;
  /** Absolute home directory of the user, for a leading `~`. */
  readonly homedir: string;
}

/** Quotes a non-secret value for an issue message: JSON-quoted, at most 80 characters. */
export function quote(value: unknown): string {
  if (typeof value !== 'string')
    return `a ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
  const short = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(short);
}

function isNonArrayObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `schema`, but arrays (which valibot's object schemas accept) are rejected with `message`. */
export function recordOnly<T extends v.GenericSchema<Record<string, unknown>, unknown>>(
  schema: T,
  message: string,
) {
  return v.pipe(v.custom<Record<string, unknown>>(isNonArrayObject, message), schema);
}

/** Expands a leading `~` and makes `path` absolute against `context.baseDir`. */
export function resolvePath(path: string, context: PathContext): string {
  const expanded =
    path === '~' ? context.homedir : path.startsWith('~/') ? join(context.homedir, path.slice(2)) : path;
  return resolve(context.baseDir, expanded);
}

/** A file system path: non-empty, no NUL, `~` expanded, made absolute. */
export function pathSchema(context: PathContext, expected: string) {
  return v.pipe(
    v.string(`must be a string: ${expected}`),
    v.nonEmpty(`must not be empty; expected ${expected}`),
    v.regex(/^[^\0]*$/, 'must not contain a NUL character'),
    v.transform((path: string) => resolvePath(path, context)),
  );
}

function tryParseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** True for `localhost`, any 127.0.0.0/8 address and `[::1]` (as WHATWG URL normalises them). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

function isHttpsOrLoopbackHttp(value: string): boolean {
  const url = tryParseUrl(value);
  if (!url) return true;
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

function hasNoUserInfo(value: string): boolean {
  const url = tryParseUrl(value);
  return !url || (url.username === '' && url.password === '');
}

function hasNoQueryOrFragment(value: string): boolean {
  const url = tryParseUrl(value);
  return !url || (url.search === '' && url.hash === '');
}

/** `https://host[:port][/path]` without trailing slash, the form HTTP clients join paths onto. */
function normalizeServiceUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * An Upstox API host: absolute URL, `https:` unless the host is loopback (127.0.0.0/8, ::1,
 * localhost, where `http:` is allowed for the emulator), no credentials, query or fragment.
 * Output is normalised to origin + path without a trailing slash.
 */
export function serviceUrlSchema() {
  const example = 'an https:// URL such as https://api.upstox.com';
  return v.pipe(
    v.string(`must be a string: ${example}`),
    v.trim(),
    v.nonEmpty(`must not be empty; expected ${example}`),
    v.url((issue) => `must be an absolute URL (${example}); got ${quote(maskUrlPassword(issue.input))}`),
    v.check(
      isHttpsOrLoopbackHttp,
      (issue) =>
        `must use https:// (http:// is allowed only for a loopback host: 127.0.0.0/8, ::1 or localhost); got ${quote(maskUrlPassword(issue.input))}`,
    ),
    v.check(hasNoUserInfo, 'must not contain a user name or password'),
    v.check(hasNoQueryOrFragment, 'must not contain a query (?...) or fragment (#...)'),
    v.transform(normalizeServiceUrl),
  );
}

/** `HFT_LOG_LEVEL` / `logLevel`: case-insensitive, surrounding spaces ignored. */
export function logLevelSchema() {
  const expected = `one of ${LOG_LEVELS.join(', ')}`;
  return v.pipe(
    v.string(`must be a string: ${expected}`),
    v.trim(),
    v.toLowerCase(),
    v.picklist(LOG_LEVELS, (issue) => `must be ${expected}; got ${quote(issue.input)}`),
  );
}

const ACCOUNT_RULE =
  'must be 1 to 128 characters of letters, digits and . _ : @ -, starting with a letter or digit';

/** `HFT_ACCOUNT` / `account`: a name (or account key) safe to use in file names and store keys. */
export function accountSchema() {
  return v.pipe(
    v.string(`must be a string: an account name that ${ACCOUNT_RULE.slice(5)}`),
    v.trim(),
    v.nonEmpty(`must not be empty; an account name ${ACCOUNT_RULE}`),
    v.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, `is not a valid account name: it ${ACCOUNT_RULE}`),
  );
}

function isRedisUrl(value: string): boolean {
  const url = tryParseUrl(value);
  return !!url && (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
}

const STORAGE_FORMS = 'file:<dir>, sqlite:<path>, redis://<host>[:port] or rediss://<host>[:port]';

function storageVariant(context: PathContext) {
  return v.variant(
    'kind',
    [
      v.strictObject(
        { kind: v.literal('file'), dir: pathSchema(context, 'a directory, as in file:/var/lib/hft/tokens') },
        'must look like { "kind": "file", "dir": "<directory>" }',
      ),
      v.strictObject(
        {
          kind: v.literal('sqlite'),
          path: pathSchema(context, 'a database file, as in sqlite:/var/lib/hft/hft.db'),
        },
        'must look like { "kind": "sqlite", "path": "<file>" }',
      ),
      v.strictObject(
        {
          kind: v.literal('redis'),
          url: v.pipe(
            v.string('must be a string: a redis:// or rediss:// URL'),
            v.trim(),
            v.check(
              isRedisUrl,
              'must be a redis:// or rediss:// URL with a host, as in redis://localhost:6379',
            ),
          ),
        },
        'must look like { "kind": "redis", "url": "redis://<host>:<port>" }',
      ),
    ],
    (issue) =>
      typeof issue.input === 'string' && /^[a-z][a-z0-9+.-]{0,30}$/.test(issue.input)
        ? `has an unknown storage scheme "${issue.input}:"; expected ${STORAGE_FORMS}`
        : `must be one of ${STORAGE_FORMS}`,
  );
}

/** `HFT_STORAGE`: a string in one of the storage URL forms. */
export function storageStringSchema(context: PathContext) {
  return v.pipe(
    v.string(`must be a string: ${STORAGE_FORMS}`),
    v.trim(),
    v.transform(splitStorageSpec),
    storageVariant(context),
  );
}

/** `storage` in options or a config file: a string form, or the object form of the union. */
export function storageSettingSchema(context: PathContext) {
  return v.pipe(
    v.custom<string | object>(
      (value) =>
        typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value)),
      `must be a string (${STORAGE_FORMS}) or an object such as { "kind": "file", "dir": "<directory>" }`,
    ),
    v.transform((value: string | object) =>
      typeof value === 'string' ? splitStorageSpec(value.trim()) : value,
    ),
    storageVariant(context),
  );
}

/** Content rules of the client id (API key), without trimming: what a `Credentials` must hold. */
export const clientIdRules = v.pipe(
  v.string('must be a string: the API key of your Upstox app'),
  v.nonEmpty('must not be empty; expected the API key of your Upstox app'),
  v.regex(/^\S+$/, 'must not contain spaces or line breaks'),
);

/**
 * Content rules of the client secret: non-empty, no whitespace, at least
 * {@link MIN_CLIENT_SECRET_LENGTH} characters. Messages never include the value (nor its length).
 */
export const clientSecretRules = v.pipe(
  v.string('must be a string: the API secret of your Upstox app'),
  v.nonEmpty('must not be empty; expected the API secret of your Upstox app'),
  v.regex(/^\S+$/, 'must not contain spaces or line breaks'),
  v.minLength(
    MIN_CLIENT_SECRET_LENGTH,
    `is too short to be the API secret of your Upstox app (fewer than ${MIN_CLIENT_SECRET_LENGTH} characters); copy the whole secret from the app's page`,
  ),
);

function isHttpUrlWithoutFragment(value: string): boolean {
  const url = tryParseUrl(value);
  return !url || ((url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '');
}

/** Content rules of the redirect URI: the absolute http(s) URL registered on the Upstox app. */
export const redirectUriRules = v.pipe(
  v.string('must be a string: the redirect URL registered on your Upstox app'),
  v.nonEmpty('must not be empty; expected the redirect URL registered on your Upstox app'),
  v.regex(/^\S+$/, 'must not contain spaces or line breaks'),
  v.url(
    (issue) => `must be an absolute URL such as http://127.0.0.1:5000/callback; got ${quote(issue.input)}`,
  ),
  v.check(isHttpUrlWithoutFragment, 'must be an http:// or https:// URL without a #fragment'),
);

/** The same rules as `rules`, after trimming surrounding whitespace (input from env and files). */
function trimmed<T extends v.GenericSchema<string, string>>(message: string, rules: T) {
  return v.pipe(v.string(message), v.trim(), rules);
}

/** Client id as read from env, files and dicts (trimmed, then {@link clientIdRules}). */
export const clientIdInput = trimmed('must be a string: the API key of your Upstox app', clientIdRules);
/** Client secret as read from env, files and dicts (trimmed, then {@link clientSecretRules}). */
export const clientSecretInput = trimmed(
  'must be a string: the API secret of your Upstox app',
  clientSecretRules,
);
/** Redirect URI as read from env, files and dicts (trimmed, then {@link redirectUriRules}). */
export const redirectUriInput = trimmed(
  'must be a string: the redirect URL registered on your Upstox app',
  redirectUriRules,
);

const CREDENTIAL_KEYS_HINT =
  'client_id, client_secret, redirect_uri (or clientId, clientSecret, redirectUri)';

type CredentialsDictInput = Partial<
  Record<'client_id' | 'clientId' | 'client_secret' | 'clientSecret' | 'redirect_uri' | 'redirectUri', string>
>;

function sameWhenBoth(snake: keyof CredentialsDictInput, camel: keyof CredentialsDictInput) {
  return (input: CredentialsDictInput) =>
    input[snake] === undefined || input[camel] === undefined || input[snake] === input[camel];
}

/**
 * A credentials object in snake_case (the file format) or camelCase, normalised to camelCase.
 * Both spellings of one key with different values is an issue. `strict` makes unknown keys issues
 * (config file, options); the credentials file ignores them.
 */
export function credentialsDictSchema(strict: boolean) {
  const entries = {
    client_id: v.optional(clientIdInput),
    clientId: v.optional(clientIdInput),
    client_secret: v.optional(clientSecretInput),
    clientSecret: v.optional(clientSecretInput),
    redirect_uri: v.optional(redirectUriInput),
    redirectUri: v.optional(redirectUriInput),
  };
  const objectMessage = `must be a JSON object with ${CREDENTIAL_KEYS_HINT}`;
  const base = recordOnly(
    strict
      ? v.objectWithRest(
          entries,
          v.never(`is not a credentials key; expected ${CREDENTIAL_KEYS_HINT}`),
          objectMessage,
        )
      : v.object(entries, objectMessage),
    objectMessage,
  );
  const twice = (a: string, b: string) => `is given twice (${a} and ${b}) with different values`;
  return v.pipe(
    base,
    v.forward(
      v.check<CredentialsDictInput, string>(
        sameWhenBoth('client_id', 'clientId'),
        twice('client_id', 'clientId'),
      ),
      ['clientId'],
    ),
    v.forward(
      v.check<CredentialsDictInput, string>(
        sameWhenBoth('client_secret', 'clientSecret'),
        twice('client_secret', 'clientSecret'),
      ),
      ['clientSecret'],
    ),
    v.forward(
      v.check<CredentialsDictInput, string>(
        sameWhenBoth('redirect_uri', 'redirectUri'),
        twice('redirect_uri', 'redirectUri'),
      ),
      ['redirectUri'],
    ),
    v.transform((input) => ({
      clientId: input.clientId ?? input.client_id,
      clientSecret: input.clientSecret ?? input.client_secret,
      redirectUri: input.redirectUri ?? input.redirect_uri,
    })),
  );
}
