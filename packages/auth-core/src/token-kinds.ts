// What each token kind is: its life, its default expiry warnings and the kinds that may serve a
// read-only call. The one table the record upgrade, the manager, the client and the CLI share.
import { tokenExpiry } from '@hft/time/core';
import type { KindToken, TokenKind, TokenSource } from './token-record.js';
import { TOKEN_KINDS } from './token-record.js';
import { jwtExpiry, jwtIssuedAt } from './upstox/jwt.js';

const DAY_MS = 86_400_000;

/** What a kind is (reference §5, §7, §12). */
export interface KindRule {
  /** The expiry of a token of this kind issued at `issuedAt`, before the JWT `exp` is applied. */
  expiry(issuedAt: number): number;
  /** Default `expiring` warnings, ms before expiry. */
  leadsMs: readonly number[];
  /** What it may call, for messages. */
  may: string;
}

/** The rules of every kind. */
export const KIND_RULES: Readonly<Record<TokenKind, KindRule>> = {
  daily: { expiry: tokenExpiry, leadsMs: [60 * 60_000, 10 * 60_000], may: 'every API' },
  extended: {
    expiry: (issuedAt) => issuedAt + 365 * DAY_MS,
    leadsMs: [30 * DAY_MS],
    may: 'read-only portfolio and order views',
  },
  analytics: {
    expiry: (issuedAt) => issuedAt + 365 * DAY_MS,
    leadsMs: [30 * DAY_MS],
    may: 'read-only GET APIs (account APIs only from a registered static IP)',
  },
  sandbox: {
    expiry: (issuedAt) => issuedAt + 30 * DAY_MS,
    leadsMs: [7 * DAY_MS],
    may: 'sandbox order APIs on the sandbox host',
  },
};

/** The kinds a read-only (GET) call falls back to, in order, when the daily token is dead. */
export const DEFAULT_READ_KINDS: readonly TokenKind[] = ['daily', 'extended', 'analytics'];

/** Whether `value` names a token kind. */
export function isTokenKind(value: unknown): value is TokenKind {
  return typeof value === 'string' && (TOKEN_KINDS as readonly string[]).includes(value);
}

/**
 * The expiry of `token` of `kind` issued at `issuedAt`: the kind's rule, made earlier by the
 * JWT `exp` when the token carries one (Upstox's `exp` is a hint that can only shorten a life).
 */
export function kindExpiry(kind: TokenKind, token: string, issuedAt: number): number {
  const rule = KIND_RULES[kind].expiry(issuedAt);
  const claimed = jwtExpiry(token);
  return claimed !== undefined && claimed < rule ? claimed : rule;
}

/**
 * A {@link KindToken} for `token`, learnt or seen at `now`: issued at its JWT `iat` when that is
 * plausible (not in the future), else at `now`; expiring by {@link kindExpiry}.
 */
export function kindToken(
  kind: TokenKind,
  token: string,
  source: TokenSource,
  now: number,
  issuedAt?: number,
): KindToken {
  let issued = issuedAt;
  if (issued === undefined) {
    const iat = jwtIssuedAt(token);
    issued = iat !== undefined && iat <= now ? iat : now;
  }
  return { token, issuedAt: issued, expiresAt: kindExpiry(kind, token, issued), source };
}
