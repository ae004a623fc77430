import { randomBytes, randomUUID } from 'node:crypto';
import { type Clock, tokenExpiry } from '@hft/time/core';
import { SignJWT } from 'jose';
import type { ResolvedApp, ResolvedUser } from './types.js';

/** Header of every token the emulator signs (as observed on real Upstox tokens). */
export const JWT_HEADER = { typ: 'JWT', key_id: 'sk_v1.0', alg: 'HS256' } as const;

/** Issuer claim of every token. */
export const JWT_ISSUER = 'udapi-gateway-service';

/**
 * `access`: the daily token (OAuth, v3 request or manual; next 03:30 IST); `extended`: the
 * one-year read-only token of the exchange; `analytics`: the one-year GET-only token of My Apps >
 * Analytics (one per account); `sandbox`: the 30-day token of a sandbox app (sandbox host only).
 */
export type TokenKind = 'access' | 'extended' | 'analytics' | 'sandbox';

/** Kinds minted as My Apps would ("Generate"), without OAuth. */
export type GeneratedTokenKind = 'analytics' | 'sandbox';

/** Analytics tokens live one year. */
export const ANALYTICS_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;

/** Sandbox tokens live 30 days. */
export const SANDBOX_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** What the emulator remembers about a token it issued. */
export interface IssuedToken {
  token: string;
  kind: TokenKind;
  clientId: string;
  userId: string;
  /** Epoch ms (emulator clock). */
  issuedAt: number;
  /** Epoch ms; the token is rejected from this instant on. */
  expiresAt: number;
  revoked: boolean;
}

/** Why a presented token was refused. */
export type TokenProblem = 'unknown' | 'expired' | 'revoked';

/**
 * Mints, remembers and checks tokens. Tokens are HS256 JWTs signed with a random per-emulator key;
 * validity is decided by this registry (issued here, not revoked, not past `expiresAt` by the
 * emulator clock), not by the JWT alone.
 */
export class TokenRegistry {
  readonly #clock: Clock;
  readonly #extendedTtlMs: number;
  readonly #key = randomBytes(32);
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #extendedByAccount = new Map<string, IssuedToken>();
  readonly #analyticsByUser = new Map<string, IssuedToken>();

  /** @param clock emulator clock; @param extendedTtlMs extended-token lifetime in ms. */
  constructor(clock: Clock, extendedTtlMs: number) {
    this.#clock = clock;
    this.#extendedTtlMs = extendedTtlMs;
  }

  async #sign(app: ResolvedApp, user: ResolvedUser, issuedAt: number, expiresAt: number): Promise<string> {
    return new SignJWT({ isMultiClient: app.multiClient, isPlusPlan: user.isPlusPlan })
      .setProtectedHeader({ ...JWT_HEADER })
      .setSubject(user.userId)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(issuedAt / 1000))
      .setIssuer(JWT_ISSUER)
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.#key);
  }

  /** Mints a daily access token expiring at the next 03:30 IST after now. */
  async mintAccess(app: ResolvedApp, user: ResolvedUser): Promise<IssuedToken> {
    const issuedAt = this.#clock.now();
    return this.#issue('access', app, user, issuedAt, tokenExpiry(issuedAt));
  }

  /**
   * The account's extended token: the live one is kept unless `refresh` is true, in which case a
   * new one replaces (and revokes) it.
   */
  async extendedToken(app: ResolvedApp, user: ResolvedUser, refresh: boolean): Promise<IssuedToken> {
    const account = `${app.clientId}\u0000${user.userId}`;
    const current = this.#extendedByAccount.get(account);
    if (current && !refresh && this.check(current.token).problem === undefined) return current;
    if (current) current.revoked = true;
    const issuedAt = this.#clock.now();
    const record = await this.#issue('extended', app, user, issuedAt, issuedAt + this.#extendedTtlMs);
    this.#extendedByAccount.set(account, record);
    return record;
  }

  /**
   * Mints an analytics or sandbox token for `user`, as My Apps' "Generate" does. A new analytics
   * token revokes the user's previous one (one per account, whatever the app); sandbox tokens are
   * independent of each other.
   */
  async generate(kind: GeneratedTokenKind, app: ResolvedApp, user: ResolvedUser): Promise<IssuedToken> {
    const issuedAt = this.#clock.now();
    if (kind === 'sandbox') return this.#issue(kind, app, user, issuedAt, issuedAt + SANDBOX_TOKEN_TTL_MS);
    const previous = this.#analyticsByUser.get(user.userId);
    if (previous) previous.revoked = true;
    const record = await this.#issue(kind, app, user, issuedAt, issuedAt + ANALYTICS_TOKEN_TTL_MS);
    this.#analyticsByUser.set(user.userId, record);
    return record;
  }

  /** Revokes every live token of `kind` held by `userId` (any app); returns how many. */
  revokeKind(userId: string, kind: TokenKind): number {
    let count = 0;
    for (const record of this.#tokens.values()) {
      if (record.userId === userId && record.kind === kind && !record.revoked) {
        record.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  /** Signs a token and registers it. */
  async #issue(
    kind: IssuedToken['kind'],
    app: ResolvedApp,
    user: ResolvedUser,
    issuedAt: number,
    expiresAt: number,
  ): Promise<IssuedToken> {
    const token = await this.#sign(app, user, issuedAt, expiresAt);
    const record: IssuedToken = {
      token,
      kind,
      clientId: app.clientId,
      userId: user.userId,
      issuedAt,
      expiresAt,
      revoked: false,
    };
    this.#tokens.set(token, record);
    return record;
  }

  /** Looks `token` up and checks it against the emulator clock. */
  check(
    token: string,
  ): { record: IssuedToken; problem?: undefined } | { record?: IssuedToken; problem: TokenProblem } {
    const record = this.#tokens.get(token);
    if (!record) return { problem: 'unknown' };
    if (record.revoked) return { record, problem: 'revoked' };
    if (this.#clock.now() >= record.expiresAt) return { record, problem: 'expired' };
    return { record };
  }

  /** Revokes `token`. Returns false when the emulator never issued it. */
  revoke(token: string): boolean {
    const record = this.#tokens.get(token);
    if (!record) return false;
    record.revoked = true;
    return true;
  }
}
