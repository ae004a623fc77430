// The current token of one account and its synchronous, I/O-free read (the hot path), with
// the state that decides validity: expiry (through the expiry schedule) and invalidation.
// TokenManager extends it with everything that does I/O.
import { AuthError, ErrorCodes } from '@hft/errors';
import { type Clock, systemClock } from '@hft/time/core';
import { ExpirySchedule } from './expiry-schedule.js';
import type { LoggerLike } from './logger-like.js';
import type { InvalidationReason, TokenEvents } from './token-events.js';
import { type TokenInfo, toTokenInfo } from './token-info.js';
import type { TokenRecord } from './token-record.js';
import { TypedEmitter } from './typed-emitter.js';

// The hot path re-reads the clock on every 128th call (a power of two: the test is a mask).
const HOT_RECHECK_MASK = 127;

/** Where a new current token came from. */
export type TokenOrigin = 'login' | 'store' | 'reacquire' | 'load';

/** The current token, its validity and its events; the base of {@link TokenManager}. */
export abstract class CurrentToken extends TypedEmitter<TokenEvents> {
  protected record: TokenRecord | undefined;
  /**
   * The current token while it is known to be valid, so the hot path needs no clock read (a
   * clock read costs more than the rest of the call). Set by a checked read when timers follow
   * the clock (the system clock); cleared by the expiry schedule, a new or removed record and
   * invalidation. Never used with an injected clock: such a clock moves without timers firing.
   */
  protected hot: string | undefined;
  private hotCalls = 0;
  private readonly timersTrackClock: boolean;
  protected invalidatedToken: string | undefined;
  protected readonly schedule: ExpirySchedule;

  protected constructor(
    protected readonly clock: Clock,
    protected readonly logger: LoggerLike,
    private readonly skewMs: number,
    leadsMs: readonly number[],
  ) {
    super();
    this.timersTrackClock = clock === systemClock;
    this.schedule = new ExpirySchedule({
      clock,
      leadsMs,
      skewMs,
      listener: {
        expiring: (leadMs, remainingMs) =>
          this.emit('expiring', { info: this.getTokenInfo()!, leadMs, remainingMs }),
        expired: () => this.emit('expired', { info: this.getTokenInfo()! }),
        lapsed: () => {
          this.hot = undefined;
        },
      },
    });
  }

  /** The error for "no token held": says whether nothing was loaded or nothing is stored. */
  protected abstract notAuthenticated(): AuthError;

  /**
   * The current access token: synchronous, no I/O (the hot path).
   * @throws AuthError `HFT_AUTH_NOT_AUTHENTICATED` (nothing loaded or stored),
   *   `HFT_AUTH_EXPIRED`, `HFT_AUTH_INVALIDATED`.
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
    const record = this.record;
    if (record === undefined) throw this.notAuthenticated();
    if (this.clock.now() + this.skewMs >= record.expiresAt) {
      throw new AuthError(ErrorCodes.AUTH_EXPIRED, `The token of ${record.accountKey} expired; log in again`);
    }
    if (this.invalidatedToken === record.accessToken) {
      throw new AuthError(
        ErrorCodes.AUTH_INVALIDATED,
        `Upstox rejected the token of ${record.accountKey} (revoked or replaced); log in again`,
      );
    }
    if (this.timersTrackClock) this.hot = record.accessToken;
    return record.accessToken;
  }

  /** The current token or `undefined` when there is no valid one: the hot path without throwing. */
  peekAccessToken(): string | undefined {
    const hot = this.hot;
    if (hot !== undefined && (++this.hotCalls & HOT_RECHECK_MASK) !== 0) return hot;
    return this.isTokenValid() ? this.checkedAccessToken() : undefined;
  }

  /** The extended (read-only) token, if one is stored. Synchronous, no I/O. */
  getExtendedToken(): string | undefined {
    return this.record?.extendedToken;
  }

  /** Whether a token is loaded, not expired and not invalidated. Synchronous, no I/O. */
  isTokenValid(): boolean {
    if (this.hot !== undefined && (++this.hotCalls & HOT_RECHECK_MASK) !== 0) return true;
    const record = this.record;
    return (
      record !== undefined &&
      this.clock.now() + this.skewMs < record.expiresAt &&
      this.invalidatedToken !== record.accessToken
    );
  }

  /** What is known about the current token, without secrets; `undefined` when there is none. */
  getTokenInfo(): TokenInfo | undefined {
    const record = this.record;
    if (!record) return undefined;
    return toTokenInfo(record, this.clock.now(), this.invalidatedToken === record.accessToken);
  }

  /**
   * Tells the manager that Upstox rejected `accessToken` (401 `UDAPI100050`): the token is
   * unusable from now on and `invalidated` fires once. API clients call this.
   */
  markInvalidated(accessToken: string, reason: InvalidationReason = 'broker-rejected'): void {
    if (this.invalidatedToken === accessToken) return;
    if (this.record?.accessToken !== accessToken) return;
    this.invalidatedToken = accessToken;
    this.hot = undefined;
    this.logger.warn('token invalidated', { account: this.record?.accountKey, reason });
    this.emit('invalidated', { info: this.getTokenInfo(), reason });
  }

  /**
   * Emits the `expiring` / `expired` events that are due at the clock's current time (each once
   * per token). Timers call it; with a manual clock, call it after moving the clock.
   */
  checkExpiry(): void {
    if (this.record) this.schedule.check();
  }

  protected replace(record: TokenRecord, origin: 'login' | 'store' | 'reacquire' | 'load'): void {
    const previous = this.record;
    this.record = record;
    this.hot = undefined;
    const isNew = previous?.accessToken !== record.accessToken;
    if (isNew) {
      if (this.invalidatedToken !== undefined && this.invalidatedToken !== record.accessToken) {
        this.invalidatedToken = undefined;
      }
    }
    // The token found by the first load is not news; every later change is.
    if (isNew && origin !== 'load') {
      this.emit('token', { accessToken: record.accessToken, info: this.getTokenInfo()!, origin });
    }
    this.schedule.follow(record.expiresAt, isNew);
  }

  protected clear(): void {
    this.record = undefined;
    this.hot = undefined;
    this.schedule.follow(undefined, false);
  }

  /** Forgets the record and says why. */
  protected drop(reason: InvalidationReason): void {
    const info = this.getTokenInfo();
    this.clear();
    this.emit('invalidated', { info, reason });
  }
}
