import type { TokenKind } from './tokens.js';

/**
 * What a token-protected route is, for the per-kind table: `market` (quotes and other market
 * data), `portfolio-read` (holdings, positions, order views), `account-read` (user APIs: profile,
 * static IPs, funds), `account-write` (logout, static-IP update) and `order` (every path of
 * `ORDER_PATHS`).
 */
export type ApiClass = 'market' | 'portfolio-read' | 'account-read' | 'account-write' | 'order';

/** Every {@link ApiClass}, for tests that walk the table. */
export const API_CLASSES: readonly ApiClass[] = [
  'market',
  'portfolio-read',
  'account-read',
  'account-write',
  'order',
];

/**
 * The verdict for one kind on one class: `allow`; `static-ip` (allowed only from one of the user's
 * registered static IPs, otherwise 403 UDAPI1154); `deny` (403 UDAPI100067: the token is valid but
 * may not call this API); `invalid` (401 UDAPI100050: the token is not valid on this host at all).
 */
export type Access = 'allow' | 'static-ip' | 'deny' | 'invalid';

/** The host the emulator plays: `live` (api / api-hft) or `sandbox` (api-sandbox). */
export type HostRole = 'live' | 'sandbox';

/**
 * THE table of which token kind may call which class of API, per host (reference §5, §7, §12).
 * Analytics is GET-only: every class it may call holds GET routes only (a test checks this).
 * On the sandbox host only sandbox tokens are valid, and only on (sandbox-enabled) order paths.
 */
export const TOKEN_ACCESS: Readonly<Record<HostRole, Readonly<Record<TokenKind, Record<ApiClass, Access>>>>> =
  {
    live: {
      access: {
        market: 'allow',
        'portfolio-read': 'allow',
        'account-read': 'allow',
        'account-write': 'allow',
        order: 'allow',
      },
      extended: {
        market: 'deny',
        'portfolio-read': 'allow',
        'account-read': 'deny',
        'account-write': 'deny',
        order: 'deny',
      },
      analytics: {
        market: 'allow',
        'portfolio-read': 'static-ip',
        'account-read': 'static-ip',
        'account-write': 'deny',
        order: 'deny',
      },
      sandbox: {
        market: 'invalid',
        'portfolio-read': 'invalid',
        'account-read': 'invalid',
        'account-write': 'invalid',
        order: 'invalid',
      },
    },
    sandbox: {
      access: {
        market: 'invalid',
        'portfolio-read': 'invalid',
        'account-read': 'invalid',
        'account-write': 'invalid',
        order: 'invalid',
      },
      extended: {
        market: 'invalid',
        'portfolio-read': 'invalid',
        'account-read': 'invalid',
        'account-write': 'invalid',
        order: 'invalid',
      },
      analytics: {
        market: 'invalid',
        'portfolio-read': 'invalid',
        'account-read': 'invalid',
        'account-write': 'invalid',
        order: 'invalid',
      },
      sandbox: {
        market: 'invalid',
        'portfolio-read': 'invalid',
        'account-read': 'invalid',
        'account-write': 'invalid',
        order: 'allow',
      },
    },
  };

/** The verdict of {@link TOKEN_ACCESS} for a token of `kind` on a route of `api` on `host`. */
export function accessFor(host: HostRole, kind: TokenKind, api: ApiClass): Access {
  return TOKEN_ACCESS[host][kind][api];
}

/**
 * Message of the UDAPI100067 answer for `kind`: Upstox's text names the extended token; for an
 * analytics token the emulator says so instead (our wording, same code).
 */
export function notPermittedMessage(kind: TokenKind): string | undefined {
  return kind === 'analytics'
    ? 'The API you are trying to access is not permitted with an analytics_token'
    : undefined;
}
