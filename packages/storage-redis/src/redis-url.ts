import { InputError } from '@hft/errors';

/** Where a Redis store points, without the password: safe to log and show. */
export interface RedisTarget {
  /** `true` for `rediss://` (TLS). */
  readonly tls: boolean;
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port. Default 6379. */
  readonly port: number;
  /** Database number selected after connecting. Default 0. */
  readonly database: number;
  /** ACL user name, when the URL has one (not secret). */
  readonly username?: string;
  /** Whether the URL carries a password (the password itself is never exposed). */
  readonly hasPassword: boolean;
  /** The URL with the password replaced by `***`, e.g. `redis://:***@10.0.0.5:6379/2`. */
  readonly display: string;
}

/** A parsed connection URL: the safe {@link RedisTarget} plus the secrets to scrub from messages. */
export interface ParsedRedisUrl {
  target: RedisTarget;
  /** The password as given and as decoded (both are scrubbed from error messages). */
  secrets: string[];
}

const FORM = 'redis://[[user]:password@]host[:port][/db] or rediss://... (TLS)';

const fail = (why: string): InputError =>
  new InputError(`url ${why}; expected ${FORM}`, { details: { argument: 'url' } });

/**
 * Parses and checks a Redis connection URL (`redis://[[user]:password@]host[:port][/db]`,
 * `rediss://` for TLS). The URL itself is never put in an error: it may carry a password.
 * @throws InputError naming `url` when the URL is malformed, uses another scheme, has no host,
 *   a non-numeric port or database, or query parameters.
 */
export function parseRedisUrl(url: unknown): ParsedRedisUrl {
  if (typeof url !== 'string' || url.trim().length === 0) throw fail('must be a non-empty string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Node's error carries the input (and so the password): it is deliberately not kept as cause.
    throw fail('is not a valid URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw fail(`has the scheme "${parsed.protocol.replace(/:$/, '')}"`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host.length === 0) throw fail('has no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw fail('has an invalid port');
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path))
    throw fail('has a database that is not a number (use /0, /1, ...)');
  const database = path === '' ? 0 : Number(path);
  if (parsed.search !== '' || parsed.hash !== '') throw fail('must not have query parameters or a fragment');

  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const hasPassword = parsed.password !== '';
  const secrets = hasPassword ? [...new Set([parsed.password, decodeURIComponent(parsed.password)])] : [];
  const auth = username || hasPassword ? `${username ?? ''}${hasPassword ? ':***' : ''}@` : '';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const display = `${parsed.protocol}//${auth}${shownHost}:${port}/${database}`;
  return {
    target: {
      tls: parsed.protocol === 'rediss:',
      host,
      port,
      database,
      ...(username ? { username } : {}),
      hasPassword,
      display,
    },
    secrets,
  };
}
