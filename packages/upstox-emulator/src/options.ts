import {
  argumentError,
  assertBoolean,
  assertFiniteNumber,
  assertMatches,
  assertNonEmptyString,
  assertPlainObject,
  describeType,
  invalidArgument,
  isPlainObject,
} from '@hft/errors/assert';
import type { Clock } from '@hft/time/core';
import {
  DEFAULT_APP,
  DEFAULT_CODE_TTL_MS,
  DEFAULT_EXTENDED_TOKEN_TTL_MS,
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_ORDER_LIMITS,
  DEFAULT_STANDARD_LIMITS,
  DEFAULT_USER,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
} from './defaults.js';
import type {
  EmulatorApp,
  EmulatorUser,
  Fault,
  RateLimitOptions,
  RequestLogEntry,
  ResolvedApp,
  ResolvedUser,
  UpstoxEmulatorOptions,
  WindowLimits,
} from './types.js';

/** Rate limits after defaults; null = that category is not limited at all. */
export interface ResolvedRateLimits {
  order: Required<WindowLimits>;
  standard: Required<WindowLimits>;
  login: Required<WindowLimits>;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  port: number;
  host: string;
  apps: ResolvedApp[];
  users: ResolvedUser[];
  clock: Clock | undefined;
  faults: Record<string, Fault>;
  codeTtlMs: number;
  rateLimits: ResolvedRateLimits | null;
  extendedTokenTtlMs: number;
  webhookTimeoutMs: number;
  sandbox: boolean;
  onRequest: ((entry: RequestLogEntry) => void) | undefined;
}

// The checks are `@hft/errors/assert`'s; these wrappers only add the emulator's defaults.

function str(value: unknown, argument: string, pattern?: RegExp, expected?: string): string {
  assertNonEmptyString(value, argument);
  if (pattern) assertMatches(value, argument, pattern, expected ?? `like ${pattern}`);
  return value;
}

function bool(value: unknown, argument: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  assertBoolean(value, argument);
  return value;
}

function strList(value: unknown, argument: string, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value)) {
    throw invalidArgument(argument, 'an array of strings', { got: describeType(value) });
  }
  return value.map((item, i) => str(item, `${argument}[${i}]`));
}

function intIn(value: unknown, argument: string, min: number, max: number): number {
  assertFiniteNumber(value, argument, {
    integer: true,
    min,
    max,
    expected: `an integer from ${min} to ${max}`,
  });
  return value;
}

/**
 * Checks an absolute http(s) URL without a fragment.
 * @throws InputError naming `argument`.
 */
export function httpUrl(value: unknown, argument: string): string {
  const text = str(value, argument);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw argumentError(argument, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw argumentError(argument, 'must use http or https');
  if (text.includes('#')) throw argumentError(argument, 'must not contain a fragment (#)');
  return text;
}

const USER_ID = /^[A-Za-z0-9]{1,32}$/;
const MOBILE = /^\d{10}$/;
const SIX_DIGITS = /^\d{6}$/;
const CLIENT_ID = /^[^/?#\s]{1,128}$/;

function ip(value: unknown, argument: string, fallback: string | null): string | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  return str(value, argument);
}

/**
 * Validates one user and fills defaults.
 * @throws InputError naming the field, e.g. `users[0].mobile`.
 */
export function resolveUser(input: unknown, path: string): ResolvedUser {
  assertPlainObject(input, path);
  const u = input as Partial<Record<keyof EmulatorUser, unknown>>;
  return {
    userId: str(u.userId, `${path}.userId`, USER_ID, '1-32 letters or digits'),
    userName: str(u.userName, `${path}.userName`),
    email: str(u.email, `${path}.email`, /^[^@\s]+@[^@\s]+$/, 'an email address'),
    mobile: str(u.mobile, `${path}.mobile`, MOBILE, 'a 10-digit mobile number'),
    otp: str(u.otp, `${path}.otp`, SIX_DIGITS, '6 digits'),
    pin: str(u.pin, `${path}.pin`, SIX_DIGITS, '6 digits'),
    exchanges: strList(u.exchanges, `${path}.exchanges`, DEFAULT_USER.exchanges),
    products: strList(u.products, `${path}.products`, DEFAULT_USER.products),
    orderTypes: strList(u.orderTypes, `${path}.orderTypes`, DEFAULT_USER.orderTypes),
    poa: bool(u.poa, `${path}.poa`, false),
    ddpi: bool(u.ddpi, `${path}.ddpi`, false),
    isActive: bool(u.isActive, `${path}.isActive`, true),
    segmentsActive: bool(u.segmentsActive, `${path}.segmentsActive`, true),
    isPlusPlan: bool(u.isPlusPlan, `${path}.isPlusPlan`, false),
    primaryIp: ip(u.primaryIp, `${path}.primaryIp`, DEFAULT_USER.primaryIp),
    secondaryIp: ip(u.secondaryIp, `${path}.secondaryIp`, null),
  };
}

/**
 * Validates one app and fills defaults. `knownUsers` decides whether `ownerUserId` exists.
 * @throws InputError naming the field, e.g. `apps[1].redirectUris[0]`.
 */
export function resolveApp(input: unknown, path: string, knownUsers: ReadonlySet<string>): ResolvedApp {
  assertPlainObject(input, path);
  const a = input as Partial<Record<keyof EmulatorApp, unknown>>;
  const clientId = str(
    a.clientId,
    `${path}.clientId`,
    CLIENT_ID,
    "1-128 characters without '/', '?', '#' or spaces",
  );
  const clientSecret = str(a.clientSecret, `${path}.clientSecret`);
  if (!Array.isArray(a.redirectUris) || a.redirectUris.length === 0) {
    throw argumentError(`${path}.redirectUris`, 'must be a non-empty array of URLs');
  }
  const redirectUris = a.redirectUris.map((uri, i) => httpUrl(uri, `${path}.redirectUris[${i}]`));
  const notifierUrl =
    a.notifierUrl === undefined || a.notifierUrl === null
      ? undefined
      : httpUrl(a.notifierUrl, `${path}.notifierUrl`);
  const ownerUserId = str(a.ownerUserId, `${path}.ownerUserId`);
  if (!knownUsers.has(ownerUserId))
    throw argumentError(`${path}.ownerUserId`, `names no configured user (${ownerUserId})`);
  return {
    clientId,
    clientSecret,
    redirectUris,
    notifierUrl,
    ownerUserId,
    active: bool(a.active, `${path}.active`, true),
    individual: bool(a.individual, `${path}.individual`, true),
    multiClient: bool(a.multiClient, `${path}.multiClient`, false),
    extendedToken: bool(a.extendedToken, `${path}.extendedToken`, true),
    ...(a.algoNames !== undefined && { algoNames: strList(a.algoNames, `${path}.algoNames`, []) }),
  };
}

/**
 * Validates a fault. `status` must be 5xx without `html` (the UDAPI100500 envelope) and 4xx/5xx with it.
 * @throws InputError naming the field, e.g. `faults["*"].times`.
 */
export function resolveFault(input: unknown, path: string): Fault {
  assertPlainObject(input, path);
  const known = new Set(['latencyMs', 'status', 'html', 'reset', 'hang', 'ipNotRegistered', 'times']);
  for (const key of Object.keys(input))
    if (!known.has(key)) throw argumentError(`${path}.${key}`, 'is not a fault option');
  const f = input as Partial<Record<keyof Fault, unknown>>;
  const fault: Fault = {};
  if (f.latencyMs !== undefined) fault.latencyMs = intIn(f.latencyMs, `${path}.latencyMs`, 0, 600_000);
  if (f.html !== undefined) {
    if (typeof f.html !== 'boolean' && typeof f.html !== 'string') {
      throw argumentError(`${path}.html`, `must be a boolean or an HTML string; got ${describeType(f.html)}`);
    }
    fault.html = f.html;
  }
  if (f.status !== undefined) {
    fault.status = fault.html
      ? intIn(f.status, `${path}.status`, 400, 599)
      : intIn(f.status, `${path}.status`, 500, 599);
  }
  if (f.reset !== undefined) fault.reset = bool(f.reset, `${path}.reset`, false);
  if (f.hang !== undefined) fault.hang = bool(f.hang, `${path}.hang`, false);
  if (f.ipNotRegistered !== undefined)
    fault.ipNotRegistered = bool(f.ipNotRegistered, `${path}.ipNotRegistered`, false);
  if (f.times !== undefined) fault.times = intIn(f.times, `${path}.times`, 1, Number.MAX_SAFE_INTEGER);
  const outcomes = [
    fault.status !== undefined || Boolean(fault.html),
    fault.reset,
    fault.hang,
    fault.ipNotRegistered,
  ].filter(Boolean);
  if (outcomes.length > 1)
    throw argumentError(path, 'may set only one of status/html, reset, hang and ipNotRegistered');
  if (outcomes.length === 0 && fault.latencyMs === undefined) {
    throw argumentError(
      path,
      'must set at least one of latencyMs, status, html, reset, hang or ipNotRegistered',
    );
  }
  return fault;
}

/** Route key format: `'*'` or `'METHOD /path'` (the path may use `:param` segments). */
export function checkFaultKey(key: unknown, argument: string): string {
  if (key === '*') return key;
  return str(
    key,
    argument,
    /^[A-Z]+ \/\S*$/,
    "'*' or 'METHOD /path', e.g. 'POST /v2/login/authorization/token'",
  );
}

function windowLimits(
  input: unknown,
  path: string,
  fallback: Readonly<WindowLimits>,
): Required<WindowLimits> {
  if (input === undefined) {
    return {
      perSecond: fallback.perSecond ?? null,
      perMinute: fallback.perMinute ?? null,
      perThirtyMinutes: fallback.perThirtyMinutes ?? null,
    };
  }
  assertPlainObject(input, path);
  const pick = (key: keyof WindowLimits): number | null => {
    const value = input[key];
    if (value === undefined) return fallback[key] ?? null;
    if (value === null) return null;
    return intIn(value, `${path}.${key}`, 0, Number.MAX_SAFE_INTEGER);
  };
  return {
    perSecond: pick('perSecond'),
    perMinute: pick('perMinute'),
    perThirtyMinutes: pick('perThirtyMinutes'),
  };
}

function rateLimits(input: unknown): ResolvedRateLimits | null {
  if (input === false) return null;
  if (input !== undefined && !isPlainObject(input))
    throw argumentError('rateLimits', `must be an object or false; got ${describeType(input)}`);
  const r = (input ?? {}) as RateLimitOptions;
  for (const key of Object.keys(r)) {
    if (!['order', 'standard', 'login'].includes(key))
      throw argumentError(`rateLimits.${key}`, 'is not a rate-limit category');
  }
  return {
    order: windowLimits(r.order, 'rateLimits.order', DEFAULT_ORDER_LIMITS),
    standard: windowLimits(r.standard, 'rateLimits.standard', DEFAULT_STANDARD_LIMITS),
    login: windowLimits(r.login, 'rateLimits.login', DEFAULT_LOGIN_LIMITS),
  };
}

function positiveMs(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  assertFiniteNumber(value, argument, { positive: true, expected: 'a finite number of milliseconds > 0' });
  return value;
}

/**
 * Validates {@link UpstoxEmulatorOptions} and applies defaults.
 * @throws InputError (`HFT_INPUT_INVALID`) whose `details.argument` names the field at fault.
 */
export function resolveOptions(options: UpstoxEmulatorOptions = {}): ResolvedOptions {
  assertPlainObject(options as unknown, 'options');
  const port = options.port === undefined ? 0 : intIn(options.port, 'port', 0, 65535);
  const host = options.host === undefined ? '127.0.0.1' : str(options.host, 'host');

  if (options.users !== undefined && (!Array.isArray(options.users) || options.users.length === 0)) {
    throw argumentError('users', 'must be a non-empty array');
  }
  const users = (options.users ?? [DEFAULT_USER]).map((u, i) => resolveUser(u, `users[${i}]`));
  const userIds = new Set<string>();
  const mobiles = new Set<string>();
  users.forEach((u, i) => {
    if (userIds.has(u.userId)) throw argumentError(`users[${i}].userId`, `repeats ${u.userId}`);
    if (mobiles.has(u.mobile))
      throw argumentError(`users[${i}].mobile`, 'repeats the mobile number of another user');
    userIds.add(u.userId);
    mobiles.add(u.mobile);
  });

  if (options.apps !== undefined && (!Array.isArray(options.apps) || options.apps.length === 0)) {
    throw argumentError('apps', 'must be a non-empty array');
  }
  const defaultApps: EmulatorApp[] = [
    { ...DEFAULT_APP, redirectUris: [...DEFAULT_APP.redirectUris], ownerUserId: users[0]!.userId },
  ];
  const apps = (options.apps ?? defaultApps).map((a, i) => resolveApp(a, `apps[${i}]`, userIds));
  const clientIds = new Set<string>();
  apps.forEach((a, i) => {
    if (clientIds.has(a.clientId)) throw argumentError(`apps[${i}].clientId`, `repeats ${a.clientId}`);
    clientIds.add(a.clientId);
  });

  const clock: unknown = options.clock;
  if (clock !== undefined && (!isPlainObject(clock) || typeof clock.now !== 'function')) {
    throw argumentError('clock', 'must be an object with a now() method');
  }
  if (options.faults !== undefined && !isPlainObject(options.faults))
    throw argumentError('faults', 'must be an object keyed by route');
  const faults: Record<string, Fault> = {};
  for (const [key, fault] of Object.entries(options.faults ?? {})) {
    checkFaultKey(key, `faults[${JSON.stringify(key)}]`);
    faults[key] = resolveFault(fault, `faults[${JSON.stringify(key)}]`);
  }
  if (options.onRequest !== undefined && typeof options.onRequest !== 'function') {
    throw argumentError('onRequest', 'must be a function');
  }
  return {
    port,
    host,
    apps,
    users,
    clock: options.clock,
    faults,
    codeTtlMs: positiveMs(options.codeTtlMs, 'codeTtlMs', DEFAULT_CODE_TTL_MS),
    rateLimits: rateLimits(options.rateLimits),
    extendedTokenTtlMs: positiveMs(
      options.extendedTokenTtlMs,
      'extendedTokenTtlMs',
      DEFAULT_EXTENDED_TOKEN_TTL_MS,
    ),
    webhookTimeoutMs: positiveMs(options.webhookTimeoutMs, 'webhookTimeoutMs', DEFAULT_WEBHOOK_TIMEOUT_MS),
    sandbox: bool(options.sandbox, 'sandbox', false),
    onRequest: options.onRequest,
  };
}
