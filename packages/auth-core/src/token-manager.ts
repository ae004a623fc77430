import { createHash } from 'node:crypto';
import { AuthError, BrokerError, ConfigError, ErrorCodes, type HftError, isHftError } from '@hft/errors';
import { type Clock, systemClock } from '@hft/time/core';
import type { AxiosInstance } from 'axios';
import { resolveAccount } from './accounts.js';
import { assertFiniteNumber, assertNonEmptyString } from './assert.js';
import { type LoggerLike, silentLogger } from './logger-like.js';
import type { InvalidationReason, TokenEvents } from './token-events.js';
import { type TokenInfo, toTokenInfo } from './token-info.js';
import { accountKey, type TokenRecord } from './token-record.js';
import { assertTokenRecord } from './token-record-check.js';
import type { TokenStore, TokenStoreChange, Unsubscribe } from './token-store.js';
import { TypedEmitter } from './typed-emitter.js';
import { fetchProfile, revokeToken, sendCodeExchange, sendTokenRequest } from './upstox/api.js';
import { buildAuthorizationUrl, generateState } from './upstox/authorize-url.js';
import { safeEqual } from './upstox/callback.js';
import { UpstoxErrorCodes } from './upstox/endpoints.js';
import { createUpstoxHttp } from './upstox/http.js';
import { processTokenResponse, type TokenRequestResult, type UpstoxProfile } from './upstox/validate.js';

/** Why a {@link ReacquireHook} is asked for a new token. */
export type ReacquireReason = 'missing' | 'expired' | 'invalidated';

/**
 * Obtains a new token when none is valid (Upstox has no refresh token): run a login, wait for a
 * v3 approval, read it from somewhere else... Resolve with the record to store, or `undefined`
 * when none could be obtained. Called under the store's lock: one call across all processes.
 */
export type ReacquireHook = (context: {
  clientId: string;
  accountKey: string | undefined;
  reason: ReacquireReason;
}) => Promise<TokenRecord | undefined>;

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
  /** The app's API key. */
  clientId: string;
  /** The app's API secret; needed only to exchange codes and send v3 token requests. */
  clientSecret?: string;
  /** The redirect URI registered on the app. */
  redirectUri: string;
  /** Where tokens live. */
  store: TokenStore;
  /**
   * Which account this manager serves: an account key (`upstox:<client_id>:<user_id>`) or a name.
   * Default: the only account stored for this client (several -> `HFT_AUTH_ACCOUNT_AMBIGUOUS`).
   */
  account?: string;
  /** Name recorded on tokens obtained by this manager (`--account NAME`). Default: `account` when it is a name. */
  accountName?: string;
  /** API base URL (`https://api.upstox.com`); point it at `@hft/upstox-emulator` in tests. Ignored when `http` is given. */
  baseUrl?: string;
  /** The axios instance for login/account calls (see `createUpstoxHttp`). */
  http?: AxiosInstance;
  /** Per-call timeout in ms for the default axios instance. Default 10 000. */
  timeoutMs?: number;
  /** Time source. Default: the system clock. */
  clock?: Clock;
  /** Logger for lifecycle messages (never given secrets). Default: silent. */
  logger?: LoggerLike;
  /** Lead times in ms before expiry at which `expiring` fires. Default: 60 and 10 minutes. */
  expiringLeadTimesMs?: readonly number[];
  /** A token is treated as expired this many ms before its expiry. Default 0. */
  expirySkewMs?: number;
  /** Obtains a new token in {@link TokenManager.refreshIfNeeded}; see {@link ReacquireHook}. */
  reacquire?: ReacquireHook;
  /** Lease of the cross-process lock held while reacquiring, in ms. Default 120 000. */
  reacquireLockTtlMs?: number;
  /** Follow the store's change notifications (hot rotation). Default true. */
  watch?: boolean;
  /**
   * While no account is known yet (nothing stored for this client, or the named account not
   * stored yet), how often to look for it in the store, in ms, so that a first login elsewhere
   * reaches this manager without a call. A watch needs an account key; this is the step before
   * it. 0 turns it off. Default 1000.
   */
  discoveryIntervalMs?: number;
}

/** Outcome of {@link TokenManager.logout}. */
export interface LogoutResult {
  /** Whether a local record was removed. */
  localRemoved: boolean;
  /**
   * `revoked`: Upstox confirmed; `already-invalid`: Upstox (or an earlier answer) says the token
   * was already revoked or replaced; `skipped`: no token, an expired one, or `broker: false`;
   * `failed`: see `error`.
   */
  broker: 'revoked' | 'already-invalid' | 'skipped' | 'failed';
  /** The broker failure, when `broker` is `failed`. The local record was still removed. */
  error?: HftError;
}

const DEFAULT_LEADS = [60 * 60_000, 10 * 60_000] as const;
// setTimeout's maximum; longer waits are re-armed when they fire.
const MAX_TIMER_MS = 2_147_483_647;
const MAX_REMEMBERED_CODES = 1000;
// The hot path re-reads the clock on every 128th call (a power of two: the test is a mask).
const HOT_RECHECK_MASK = 127;

/**
 * The token lifecycle for one account: login (code exchange), the synchronous hot-path read,
 * expiry events, hot rotation through the store's `watch`, logout and reacquisition.
 *
 * Call {@link TokenManager.load} (or any async getter) once; afterwards
 * {@link TokenManager.getAccessToken} is synchronous and does no I/O. Timers never keep the
 * process alive. Call {@link TokenManager.close} when done.
 */
export class TokenManager extends TypedEmitter<TokenEvents> {
  /** The app's API key. */
  readonly clientId: string;
  /** The store this manager reads and writes. */
  readonly store: TokenStore;
  private readonly clientSecret: string | undefined;
  private readonly redirectUri: string;
  private readonly baseUrl: string | undefined;
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly logger: LoggerLike;
  private readonly leads: number[];
  private readonly skewMs: number;
  private readonly reacquireHook: ReacquireHook | undefined;
  private readonly reacquireTtlMs: number;
  private readonly watchEnabled: boolean;
  private readonly discoveryMs: number;
  private discovery: NodeJS.Timeout | undefined;
  private readonly requestedAccount: string | undefined;
  private readonly accountName: string | undefined;

  private record: TokenRecord | undefined;
  /**
   * The current token while it is known to be valid, so the hot path needs no clock read (a
   * clock read costs more than the rest of the call). Set by a checked read when timers follow
   * the clock (the system clock); cleared by the expiry timer, a new or removed record and
   * invalidation. Never used with an injected clock: such a clock moves without timers firing.
   */
  private hot: string | undefined;
  private hotCalls = 0;
  private readonly timersTrackClock: boolean;
  private key: string | undefined;
  private loaded = false;
  private closed = false;
  private invalidatedToken: string | undefined;
  private loadFlight: Promise<void> | undefined;
  private refreshFlight: Promise<boolean> | undefined;
  private unwatch: Unsubscribe | undefined;
  private watchedKey: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly fired = new Set<string>();
  private readonly pendingStates = new Set<string>();
  private readonly codes = new Map<string, Promise<TokenRecord> | 'settled'>();

  constructor(options: TokenManagerOptions) {
    super();
    assertNonEmptyString(options.clientId, 'clientId');
    assertNonEmptyString(options.redirectUri, 'redirectUri');
    if (!options.store || typeof options.store.get !== 'function') {
      throw new ConfigError('store must be a TokenStore', {
        details: { issues: [{ field: 'store', source: 'options', message: 'must be a TokenStore' }] },
      });
    }
    const leads = [...(options.expiringLeadTimesMs ?? DEFAULT_LEADS)];
    for (const [i, lead] of leads.entries()) {
      assertFiniteNumber(lead, `expiringLeadTimesMs[${i}]`, { positive: true });
    }
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.redirectUri = options.redirectUri;
    this.store = options.store;
    this.baseUrl = options.baseUrl;
    this.http =
      options.http ??
      createUpstoxHttp({
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    this.clock = options.clock ?? systemClock;
    this.timersTrackClock = this.clock === systemClock;
    this.logger = options.logger ?? silentLogger;
    this.leads = leads.sort((a, b) => b - a);
    this.skewMs = options.expirySkewMs ?? 0;
    assertFiniteNumber(this.skewMs, 'expirySkewMs');
    this.reacquireHook = options.reacquire;
    this.reacquireTtlMs = options.reacquireLockTtlMs ?? 120_000;
    this.watchEnabled = options.watch ?? true;
    this.discoveryMs = options.discoveryIntervalMs ?? 1000;
    assertFiniteNumber(this.discoveryMs, 'discoveryIntervalMs');
    this.requestedAccount = options.account;
    this.accountName =
      options.accountName ??
      (options.account && !options.account.startsWith('upstox:') ? options.account : undefined);
    if (options.account?.startsWith('upstox:')) this.key = options.account;
  }

  // ---------------------------------------------------------------- login

  /**
   * The Upstox login URL for this app. A fresh random `state` is generated when none is given;
   * it is remembered so {@link exchangeCodeForToken} can check it.
   */
  getAuthorizationUrl(state: string = generateState()): string {
    const url = buildAuthorizationUrl({
      clientId: this.clientId,
      redirectUri: this.redirectUri,
      state,
      ...(this.baseUrl === undefined ? {} : { baseUrl: this.baseUrl }),
    });
    this.pendingStates.add(state);
    return url;
  }

  /**
   * Exchanges an authorization code for a token, stores it and makes it current.
   *
   * The code is single use: concurrent calls with the same code share one exchange, and a code
   * that was already sent (successfully or not) is refused without contacting Upstox.
   *
   * @param options.state The state from the callback; when given it must be one this manager
   *   generated (constant-time compare).
   * @throws AuthError `HFT_AUTH_STATE_MISMATCH`, `HFT_AUTH_CODE_ALREADY_USED`,
   *   `HFT_AUTH_ACCOUNT_MISMATCH`; ConfigError `HFT_CONFIG_MISSING` (no client secret);
   *   BrokerError; NetworkError; StorageError.
   */
  exchangeCodeForToken(code: string, options: { state?: string } = {}): Promise<TokenRecord> {
    assertNonEmptyString(code, 'code');
    if (options.state !== undefined) {
      const match = [...this.pendingStates].some((s) => safeEqual(s, options.state as string));
      if (!match) {
        return Promise.reject(
          new AuthError(
            ErrorCodes.AUTH_STATE_MISMATCH,
            'The callback state does not match any login started here; nothing was exchanged. Start the login again.',
          ),
        );
      }
    }
    const id = createHash('sha256').update(code).digest('base64url');
    const seen = this.codes.get(id);
    if (seen === 'settled') return Promise.reject(codeUsed());
    // A double submit while the first exchange is still running shares its outcome.
    if (seen) return seen;
    const flight = this.exchange(code).finally(() => this.codes.set(id, 'settled'));
    this.codes.set(id, flight);
    if (this.codes.size > MAX_REMEMBERED_CODES) this.codes.delete(this.codes.keys().next().value as string);
    if (options.state !== undefined) this.pendingStates.delete(options.state);
    return flight;
  }

  private async exchange(code: string): Promise<TokenRecord> {
    const secret = this.requireSecret('exchange an authorization code');
    this.logger.info('exchanging authorization code', { clientId: this.clientId });
    const body = await sendCodeExchange(this.http, {
      code,
      clientId: this.clientId,
      clientSecret: secret,
      redirectUri: this.redirectUri,
    });
    const record = processTokenResponse(body, {
      clientId: this.clientId,
      clock: this.clock,
      source: 'oauth',
      ...(this.accountName === undefined ? {} : { accountName: this.accountName }),
    });
    await this.adopt(record, 'login');
    this.logger.info('login stored', { account: record.accountKey, expiresAt: record.expiresAt });
    return record;
  }

  /**
   * Sends the v3 Access Token Request: Upstox asks the user to approve in its app and then POSTs
   * the token to the app's notifier webhook (see `createNotifierHandler`).
   * @throws ConfigError `HFT_CONFIG_MISSING` (no client secret); BrokerError; NetworkError.
   */
  async requestToken(): Promise<TokenRequestResult> {
    const secret = this.requireSecret('send a token request');
    return sendTokenRequest(this.http, { clientId: this.clientId, clientSecret: secret });
  }

  /**
   * Stores a token obtained elsewhere (a webhook delivery, a manual paste, a reacquire hook)
   * and makes it current. @throws InputError (invalid record); AuthError
   * `HFT_AUTH_ACCOUNT_MISMATCH`; StorageError.
   */
  async setToken(record: TokenRecord): Promise<void> {
    assertTokenRecord(record);
    await this.adopt(record, 'login');
  }

  private requireSecret(purpose: string): string {
    if (!this.clientSecret) {
      throw new ConfigError(`The client secret is needed to ${purpose}: set UPSTOX_CLIENT_SECRET`, {
        code: ErrorCodes.CONFIG_MISSING,
        details: {
          issues: [{ field: 'credentials.clientSecret', source: 'options', message: 'is required' }],
        },
      });
    }
    return this.clientSecret;
  }

  private async adopt(record: TokenRecord, origin: 'login' | 'reacquire'): Promise<void> {
    if (record.clientId !== this.clientId) {
      throw new AuthError(
        ErrorCodes.AUTH_ACCOUNT_MISMATCH,
        `The token belongs to client ${record.clientId}, not ${this.clientId}; it was not stored`,
      );
    }
    if (this.key !== undefined && this.key !== record.accountKey && this.isBound()) {
      throw new AuthError(
        ErrorCodes.AUTH_ACCOUNT_MISMATCH,
        `Logged in as ${record.userId}, but this manager serves ${this.key}; the token was not stored. Use another --account.`,
      );
    }
    const toStore =
      this.accountName !== undefined && record.accountName === undefined
        ? { ...record, accountName: this.accountName }
        : record;
    await this.store.set(toStore.accountKey, toStore);
    this.loaded = true;
    this.setKey(toStore.accountKey);
    this.replace(toStore, origin);
  }

  /** Bound to one account: asked for it by key, or by a name that resolved. */
  private isBound(): boolean {
    return this.requestedAccount !== undefined;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Loads the account's record from the store (once; concurrent callers share one read) and
   * starts following the store's changes. Safe to call again: later calls return at once.
   * @throws StorageError (fail closed: an unreadable store is not "logged out");
   *   AuthError `HFT_AUTH_ACCOUNT_AMBIGUOUS`.
   */
  load(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    this.loadFlight ??= this.readFromStore().finally(() => {
      this.loadFlight = undefined;
    });
    return this.loadFlight;
  }

  private async readFromStore(): Promise<void> {
    this.ensureOpen();
    let record: TokenRecord | undefined;
    let read = false;
    if (this.key === undefined || !this.isBound()) {
      const resolved = await resolveAccount(this.store, this.clientId, this.requestedAccount);
      if (resolved !== undefined) {
        this.setKey(resolved.key);
        record = resolved.record;
        read = resolved.record !== undefined;
      }
    }
    if (!read && this.key !== undefined) {
      this.setKey(this.key);
      record = await this.store.get(this.key);
    }
    const firstLoad = !this.loaded && this.record === undefined;
    this.loaded = true;
    if (record) this.replace(record, firstLoad ? 'load' : 'store');
    else this.clear();
    if (this.key === undefined) this.startDiscovery();
  }

  /** Polls the store for this manager's account until one appears (see `discoveryIntervalMs`). */
  private startDiscovery(): void {
    if (this.discovery || this.closed || !this.watchEnabled || this.discoveryMs <= 0) return;
    let failing = false;
    const tick = async () => {
      if (this.closed || this.key !== undefined) return this.stopDiscovery();
      try {
        const found = await resolveAccount(this.store, this.clientId, this.requestedAccount);
        failing = false;
        if (found === undefined || this.closed || this.key !== undefined) return;
        this.stopDiscovery();
        this.setKey(found.key);
        const record = found.record ?? (await this.store.get(found.key));
        if (record && !this.closed) this.replace(record, 'store');
      } catch (error) {
        // Report an outage once, then keep looking.
        if (!failing) this.emit('error', error instanceof Error ? error : new Error(String(error)));
        failing = true;
      }
    };
    this.discovery = setInterval(() => void tick(), this.discoveryMs);
    this.discovery.unref();
  }

  private stopDiscovery(): void {
    if (this.discovery) clearInterval(this.discovery);
    this.discovery = undefined;
  }

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

  /** Loads if needed, then returns the current token. Same errors as {@link getAccessToken}, plus StorageError. */
  async getValidToken(): Promise<string> {
    if (!this.loaded) await this.load();
    return this.getAccessToken();
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

  /** The account key served, once known. */
  get accountKey(): string | undefined {
    return this.key;
  }

  /**
   * Re-reads the store (another process may have logged in) and reports whether a valid token
   * exists. With a `reacquire` hook, obtains a new token when none is valid, under the store's
   * lock so that N processes cause one acquisition; concurrent calls in this process share one
   * flight. @throws StorageError; whatever the hook throws.
   */
  refreshIfNeeded(): Promise<boolean> {
    this.refreshFlight ??= this.refresh().finally(() => {
      this.refreshFlight = undefined;
    });
    return this.refreshFlight;
  }

  private async refresh(): Promise<boolean> {
    await this.reload();
    if (this.isTokenValid()) return true;
    const hook = this.reacquireHook;
    if (!hook) return false;
    const lockKey = this.key ?? accountKey(this.clientId, '*');
    return this.store.withLock(lockKey, this.reacquireTtlMs, async () => {
      // Another process may have reacquired while this one waited for the lock.
      await this.reload();
      if (this.isTokenValid()) return true;
      const reason = this.reason();
      this.logger.info('reacquiring token', { account: this.key, reason });
      const record = await hook({ clientId: this.clientId, accountKey: this.key, reason });
      if (record === undefined) return false;
      assertTokenRecord(record, 'reacquired record');
      await this.adopt(record, 'reacquire');
      return this.isTokenValid();
    });
  }

  private reason(): ReacquireReason {
    const record = this.record;
    if (!record) return 'missing';
    return this.invalidatedToken === record.accessToken ? 'invalidated' : 'expired';
  }

  private async reload(): Promise<void> {
    this.loaded = false;
    await this.load();
  }

  // ---------------------------------------------------------------- broker calls

  /**
   * The user's profile (`GET /v2/user/profile`): checks the token with Upstox.
   * @throws AuthError (not authenticated, expired, `HFT_AUTH_INVALIDATED` when Upstox answers
   *   401 `UDAPI100050`); BrokerError; NetworkError.
   */
  async whoami(): Promise<UpstoxProfile> {
    const token = await this.getValidToken();
    try {
      return await fetchProfile(this.http, token);
    } catch (error) {
      throw this.reportBrokerFailure(error, token);
    }
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
    this.logger.warn('token invalidated', { account: this.key, reason });
    this.emit('invalidated', { info: this.getTokenInfo(), reason });
  }

  /** Maps a broker failure for a call made with `token`: 401 UDAPI100050 marks it invalid. */
  private reportBrokerFailure(error: unknown, token: string): unknown {
    if (error instanceof BrokerError && isTokenRejection(error)) {
      this.markInvalidated(token);
      return new AuthError(
        ErrorCodes.AUTH_INVALIDATED,
        'Upstox rejected the token (UDAPI100050: expired, revoked or replaced); log in again',
        { cause: error },
      );
    }
    return error;
  }

  /**
   * Logs out: `DELETE /v2/logout` with the token (unless `broker: false`), then deletes the
   * local record whatever the broker said. A broker failure is reported in the result (and on
   * `error`), not thrown. @throws StorageError when the local record cannot be removed.
   */
  async logout(options: { broker?: boolean } = {}): Promise<LogoutResult> {
    await this.load();
    const record = this.record;
    const result: LogoutResult = { localRemoved: false, broker: 'skipped' };
    if (record && this.invalidatedToken === record.accessToken) result.broker = 'already-invalid';
    // An expired token is dead at Upstox too: revoking it would only earn a 401.
    else if (record && options.broker !== false && this.clock.now() < record.expiresAt) {
      try {
        await revokeToken(this.http, record.accessToken);
        result.broker = 'revoked';
      } catch (error) {
        const reported = this.reportBrokerFailure(error, record.accessToken);
        if (isHftError(reported) && reported.code === ErrorCodes.AUTH_INVALIDATED) {
          // Upstox says the token is already revoked or replaced: what logout wanted.
          result.broker = 'already-invalid';
        } else {
          result.broker = 'failed';
          result.error = (isHftError(reported) ? reported : undefined) as HftError | undefined;
          this.logger.warn('broker logout failed; removing the local token anyway', {
            account: record.accountKey,
            code: result.error?.code,
          });
        }
      }
    }
    if (this.key !== undefined) result.localRemoved = await this.store.delete(this.key);
    if (record) {
      const info = this.getTokenInfo();
      this.clear();
      this.emit('invalidated', { info, reason: 'logout' });
    }
    return result;
  }

  // ---------------------------------------------------------------- events and state

  /** Calls `listener` with the new access token whenever one is stored, here or by another process. */
  onTokenRotated(listener: (accessToken: string, info: TokenInfo) => void): () => void {
    return this.on('token', (event) => listener(event.accessToken, event.info));
  }

  /**
   * Emits the `expiring` / `expired` events that are due at the clock's current time (each once
   * per token: the set resets when the token changes). Timers call it; with a manual clock, call it after moving the clock.
   */
  checkExpiry(): void {
    const record = this.record;
    if (!record || this.closed) return;
    const now = this.clock.now();
    const remaining = record.expiresAt - now;
    if (now + this.skewMs >= record.expiresAt) this.hot = undefined;
    for (const lead of this.leads) {
      const id = `lead:${lead}`;
      if (remaining > 0 && remaining <= lead && !this.fired.has(id)) {
        this.fired.add(id);
        this.emit('expiring', { info: this.getTokenInfo()!, leadMs: lead, remainingMs: remaining });
      }
    }
    const expiredId = 'expired';
    if (remaining <= 0 && !this.fired.has(expiredId)) {
      this.fired.add(expiredId);
      this.emit('expired', { info: this.getTokenInfo()! });
    }
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const record = this.record;
    if (!record || this.closed) return;
    const now = this.clock.now();
    const dues = [...this.leads.map((lead) => record.expiresAt - lead), record.expiresAt].filter(
      (t) => t > now,
    );
    if (dues.length === 0) return;
    const wait = Math.min(Math.min(...dues) - now, MAX_TIMER_MS);
    this.timer = setTimeout(() => this.checkExpiry(), wait);
    this.timer.unref();
  }

  private replace(record: TokenRecord, origin: 'login' | 'store' | 'reacquire' | 'load'): void {
    const previous = this.record;
    this.record = record;
    this.hot = undefined;
    if (previous?.accessToken !== record.accessToken) {
      this.fired.clear();
      if (this.invalidatedToken !== undefined && this.invalidatedToken !== record.accessToken) {
        this.invalidatedToken = undefined;
      }
      // The token found by the first load is not news; every later change is.
      if (origin !== 'load') {
        this.emit('token', { accessToken: record.accessToken, info: this.getTokenInfo()!, origin });
      }
    }
    this.checkExpiry();
  }

  private clear(): void {
    this.record = undefined;
    this.hot = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setKey(key: string): void {
    this.key = key;
    this.stopDiscovery();
    if (!this.watchEnabled || this.closed || this.watchedKey === key) return;
    this.unwatch?.();
    this.watchedKey = key;
    this.unwatch = this.store.watch(key, (change) => this.onStoreChange(change));
  }

  private onStoreChange(change: TokenStoreChange): void {
    if (this.closed || change.key !== this.key) return;
    if (change.kind === 'delete') {
      if (this.record) {
        const info = this.getTokenInfo();
        this.clear();
        this.emit('invalidated', { info, reason: 'deleted' });
      }
      return;
    }
    const apply = (record: TokenRecord | undefined) => {
      if (this.closed || change.key !== this.key) return;
      if (record) this.replace(record, 'store');
    };
    if (change.record) apply(change.record);
    else {
      this.store.get(change.key).then(apply, (error: unknown) => {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      });
    }
  }

  private notAuthenticated(): AuthError {
    return new AuthError(
      ErrorCodes.AUTH_NOT_AUTHENTICATED,
      this.loaded
        ? `No token is stored for ${this.key ?? `client ${this.clientId}`}; log in first`
        : 'The token manager has not loaded the store yet: await load() (or getValidToken()) first',
    );
  }

  private ensureOpen(): void {
    if (this.closed) {
      throw new AuthError(ErrorCodes.AUTH_NOT_AUTHENTICATED, 'The token manager was closed');
    }
  }

  /** Stops watching the store and clears timers. Does not close the store. */
  async close(): Promise<void> {
    this.closed = true;
    this.hot = undefined;
    this.stopDiscovery();
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function codeUsed(): AuthError {
  return new AuthError(
    ErrorCodes.AUTH_CODE_ALREADY_USED,
    'This authorization code was already sent to Upstox once (codes are single use); log in again for a new one',
  );
}

/** True for Upstox's "invalid token" answer: 401 with `UDAPI100050`. */
export function isTokenRejection(error: BrokerError): boolean {
  return error.status === 401 && error.brokerCode === UpstoxErrorCodes.INVALID_TOKEN;
}
