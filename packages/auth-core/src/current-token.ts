// The current credential set of one account and its synchronous, I/O-free reads (the hot path:
// the daily token; and one read per kind), with the state that decides validity: expiry (through
// one expiry schedule per kind) and invalidation. TokenManager extends it with everything that
// does I/O.
import type { AuthError } from '@hft/errors';
import { type Clock, systemClock } from '@hft/time/core';
import { ExpirySchedule } from './expiry-schedule.js';
import type { LoggerLike } from './logger-like.js';
import type { InvalidationReason, TokenEvents, TokenOrigin } from './token-events.js';
import { type TokenInfo, toTokenInfo } from './token-info.js';
import { KIND_RULES } from './token-kinds.js';
import { kindsOf, TOKEN_KINDS, type TokenKind, type TokenRecord } from './token-record.js';
import { whyUnusable } from './token-usable.js';
import { TypedEmitter } from './typed-emitter.js';

// The hot path re-reads the clock on every 128th call (a power of two: the test is a mask).
const HOT_RECHECK_MASK = 127;

/** Lead times of the `expiring` warnings per kind, in ms before expiry. */
export type KindLeads = { [K in TokenKind]?: readonly number[] };

/** The current credential set, its validity and its events; the base of {@link TokenManager}. */
export abstract class CurrentToken extends TypedEmitter<TokenEvents> {
  protected record: TokenRecord | undefined;
  /**
   * The daily token while it is known to be valid, so the hot path needs no clock read (a
   * clock read costs more than the rest of the call). Set by a checked read when timers follow
   * the clock (the system clock); cleared by the expiry schedule, a new or removed record and
   * invalidation. Never used with an injected clock: such a clock moves without timers firing.
   */
  protected hot: string | undefined;
  private hotCalls = 0;
  private readonly timersTrackClock: boolean;
  /** The daily token Upstox rejected (the hot path compares one string). */
  protected invalidatedToken: string | undefined;
  /** Tokens of the other kinds that Upstox rejected. */
  private readonly rejected = new Set<string>();
  /** The daily token's schedule. */
  protected readonly schedule: ExpirySchedule;
  private readonly kindSchedules = new Map<TokenKind, ExpirySchedule>();

  protected constructor(
    protected readonly clock: Clock,
    protected readonly logger: LoggerLike,
    private readonly skewMs: number,
    leads: KindLeads,
  ) {
    super();
    this.timersTrackClock = clock === systemClock;
    for (const kind of TOKEN_KINDS) {
      const schedule = new ExpirySchedule({
        clock,
        leadsMs: leads[kind] ?? KIND_RULES[kind].leadsMs,
        skewMs,
        listener: {
          expiring: (leadMs, remainingMs) =>
            this.emit('expiring', { info: this.getTokenInfo()!, leadMs, remainingMs, kind }),
          expired: () => this.emit('expired', { info: this.getTokenInfo()!, kind }),
          lapsed: () => {
            if (kind === 'daily') this.hot = undefined;
          },
        },
      });
      this.kindSchedules.set(kind, schedule);
    }
    this.schedule = this.kindSchedules.get('daily')!;
  }

  /** The error for "no token held": says whether nothing was loaded or nothing is stored. */
  protected abstract notAuthenticated(): AuthError;

  /**
   * The current daily access token: synchronous, no I/O (the hot path).
   * @throws AuthError `HFT_AUTH_NOT_AUTHENTICATED` (nothing loaded or stored, or no daily token
   *   among the kinds held), `HFT_AUTH_EXPIRED`, `HFT_AUTH_INVALIDATED`.
   */
  getAccessToken(): string {
    const hot = this.hot;
    // (see `hot`): a token known valid is returned without reading the clock, except every
    // HOT_RECHECK-th call, which bounds how long a timer delayed by a suspended machine can
    // leave an expired token in place.
    if (hot !== undefined && (++this.hotCalls & HOT_RECHECK_MASK) !== 0) return hot;
    return this.checkedAccessToken();
  }

  /** The full check of {@link getAccessToken}: reads the clock, throws the reason. */
  private checkedAccessToken(): string {
    const token = this.checkedToken('daily');
    if (this.timersTrackClock) this.hot = token;
    return token;
  }

  /** Checks the token of `kind` at the clock's time; returns it or throws why it is unusable. */
  private checkedToken(kind: TokenKind): string {
    const record = this.record;
    if (record === undefined) throw this.notAuthenticated();
    const problem = whyUnusable(record, kind, this.clock.now(), this.skewMs, this.isRejected, fixFor);
    if (problem) throw problem;
    return record.tokens[kind]!.token;
  }

  // An arrow, so the checked read passes it without allocating.
  private readonly isRejected = (kind: TokenKind, token: string): boolean =>
    kind === 'daily' ? this.invalidatedToken === token : this.rejected.has(token);

  /** The current daily token or `undefined` when there is no valid one: the hot path without throwing. */
  peekAccessToken(): string | undefined {
    const hot = this.hot;
    if (hot !== undefined && (++this.hotCalls & HOT_RECHECK_MASK) !== 0) return hot;
    return this.isTokenValid() ? this.checkedAccessToken() : undefined;
  }

  /**
   * The token of `kind`: synchronous, no I/O. `getToken('daily')` is {@link getAccessToken}.
   * @throws AuthError `HFT_AUTH_NOT_AUTHENTICATED` (none of that kind held), `HFT_AUTH_EXPIRED`,
   *   `HFT_AUTH_INVALIDATED`; `details.kind` names the kind.
   */
  getToken(kind: TokenKind): string {
    return kind === 'daily' ? this.getAccessToken() : this.checkedToken(kind);
  }

  /** The token of `kind` when it is held and valid, else `undefined`. Synchronous, no I/O. */
  peekToken(kind: TokenKind): string | undefined {
    if (kind === 'daily') return this.peekAccessToken();
    return this.isKindValid(kind) ? this.record!.tokens[kind]!.token : undefined;
  }

  /** Whether a token of `kind` is held, not expired and not invalidated. Synchronous, no I/O. */
  isKindValid(kind: TokenKind): boolean {
    if (kind === 'daily') return this.isTokenValid();
    const held = this.record?.tokens[kind];
    return (
      held !== undefined && this.clock.now() + this.skewMs < held.expiresAt && !this.rejected.has(held.token)
    );
  }

  /** The kind of a held token, when `token` is one of the current record's. */
  kindOfToken(token: string): TokenKind | undefined {
    const tokens = this.record?.tokens;
    if (!tokens) return undefined;
    return TOKEN_KINDS.find((kind) => tokens[kind]?.token === token);
  }

  /** The extended (read-only) token, if one is stored (valid or not). Synchronous, no I/O. */
  getExtendedToken(): string | undefined {
    return this.record?.tokens.extended?.token;
  }

  /** Whether a daily token is loaded, not expired and not invalidated. Synchronous, no I/O. */
  isTokenValid(): boolean {
    if (this.hot !== undefined && (++this.hotCalls & HOT_RECHECK_MASK) !== 0) return true;
    const daily = this.record?.tokens.daily;
    return (
      daily !== undefined &&
      this.clock.now() + this.skewMs < daily.expiresAt &&
      this.invalidatedToken !== daily.token
    );
  }

  /** What is known about the current tokens, without secrets; `undefined` when there is none. */
  getTokenInfo(): TokenInfo | undefined {
    const record = this.record;
    if (!record) return undefined;
    return toTokenInfo(record, this.clock.now(), (token) => {
      const kind = this.kindOfToken(token);
      return kind !== undefined && this.isRejected(kind, token);
    });
  }

  /**
   * Tells the manager that Upstox rejected `accessToken` (401 `UDAPI100050`): that token (of
   * whichever kind it is) is unusable from now on and `invalidated` fires once, naming the kind.
   * Only the kind sent is affected. API clients call this.
   */
  markInvalidated(accessToken: string, reason: InvalidationReason = 'broker-rejected'): void {
    const kind = this.kindOfToken(accessToken);
    if (kind === undefined || this.isRejected(kind, accessToken)) return;
    if (kind === 'daily') {
      this.invalidatedToken = accessToken;
      this.hot = undefined;
    } else {
      this.rejected.add(accessToken);
    }
    this.logger.warn('token invalidated', { account: this.record?.accountKey, kind, reason });
    this.emit('invalidated', { info: this.getTokenInfo(), reason, kind });
  }

  /**
   * Emits the `expiring` / `expired` events that are due at the clock's current time (each once
   * per token). Timers call it; with a manual clock, call it after moving the clock.
   */
  checkExpiry(): void {
    if (!this.record) return;
    for (const kind of kindsOf(this.record)) this.kindSchedules.get(kind)!.check();
  }

  /**
   * Makes `record` current: emits `token` for each kind whose token changed (not on the first
   * load) and `invalidated` (with `gone`) for each kind that was held and is no more.
   */
  protected replace(
    record: TokenRecord,
    origin: TokenOrigin | 'load',
    gone: InvalidationReason = 'deleted',
  ): void {
    const previous = this.record;
    this.record = record;
    this.hot = undefined;
    for (const kind of TOKEN_KINDS) {
      const held = record.tokens[kind];
      const before = previous?.tokens[kind];
      const isNew = held !== undefined && before?.token !== held.token;
      if (isNew) {
        if (kind === 'daily') {
          if (this.invalidatedToken !== undefined && this.invalidatedToken !== held.token) {
            this.invalidatedToken = undefined;
          }
        } else if (before) {
          this.rejected.delete(before.token);
        }
      }
      // The token found by the first load is not news; every later change is.
      if (isNew && origin !== 'load') {
        this.emit('token', { accessToken: held.token, info: this.getTokenInfo()!, origin, kind });
      }
      this.kindSchedules.get(kind)!.follow(held?.expiresAt, isNew);
      if (before && !held) this.emit('invalidated', { info: this.getTokenInfo(), reason: gone, kind });
    }
  }

  protected clear(): void {
    this.record = undefined;
    this.hot = undefined;
    for (const schedule of this.kindSchedules.values()) schedule.follow(undefined, false);
  }

  /** Forgets the record and says why. */
  protected drop(reason: InvalidationReason): void {
    const info = this.getTokenInfo();
    this.clear();
    this.emit('invalidated', { info, reason, kind: 'daily' });
  }

  /** Stops every expiry timer for good. */
  protected stopSchedules(): void {
    for (const schedule of this.kindSchedules.values()) schedule.stop();
  }
}

function fixFor(kind: TokenKind): string {
  switch (kind) {
    case 'daily':
      return 'log in again';
    case 'extended':
      return 'log in again (each exchange may bring a new extended token)';
    case 'analytics':
      return 'generate one in My Apps › Analytics and run: hft token import --kind analytics';
    case 'sandbox':
      return 'generate one for your sandbox app and run: hft token import --kind sandbox';
  }
}
