// TokenManager: the facade a trading program holds. It keeps the current record and the
// synchronous hot read, and composes the parts that do the rest: the login session (state,
// codes, exchange), the account binding (which account, discovery, watch), the expiry schedule
// (events), the newer-wins write and the broker logout.
import { AuthError, ConfigError, ErrorCodes, InputError } from '@hft/errors';
import { assertFiniteNumber, assertNonEmptyString } from '@hft/errors/assert';
import { systemClock } from '@hft/time/core';
import type { AxiosInstance } from 'axios';
import { AccountBinding } from './account-binding.js';
import { revokeAtBroker } from './broker-logout.js';
import { mergeCredentials, removeKinds } from './credential-writes.js';
import { CurrentToken, type KindLeads } from './current-token.js';
import { silentLogger } from './logger-like.js';
import { type CompleteLoginOptions, LoginSession } from './login-session.js';
import {
  authorizeFeedFor,
  changeStaticIps,
  type ManagerCallContext,
  readStaticIps,
  type StaticIpInput,
} from './static-ips.js';
import { type ImportedToken, type ImportTokenOptions, prepareImport } from './token-import.js';
import type { TokenInfo } from './token-info.js';
import { isTokenKind } from './token-kinds.js';
import type {
  LogoutOptions,
  LogoutResult,
  ReacquireReason,
  TokenManagerOptions,
} from './token-manager-options.js';
import { accountKey, kindsOf, TOKEN_KINDS, type TokenKind, type TokenRecord } from './token-record.js';
import { assertTokenRecord } from './token-record-check.js';
import { mapTokenRejection } from './token-rejection.js';
import type { TokenStore, TokenStoreChange } from './token-store.js';
import { fetchProfile } from './upstox/api.js';
import { DEFAULT_SANDBOX_BASE_URL } from './upstox/endpoints.js';
import { createUpstoxHttp } from './upstox/http.js';
import type { StaticIpChange, StaticIps, TokenRequestResult, UpstoxProfile } from './upstox/validate.js';
import { writeIfNewer } from './write-if-newer.js';

export type {
  LogoutOptions,
  LogoutResult,
  ReacquireHook,
  ReacquireReason,
  TokenManagerOptions,
} from './token-manager-options.js';

/**
 * The token lifecycle for one account: login (code exchange), the synchronous hot-path read,
 * expiry events, hot rotation through the store's `watch`, logout and reacquisition.
 *
 * Call {@link TokenManager.load} (or any async getter) once; afterwards
 * {@link TokenManager.getAccessToken} is synchronous and does no I/O. Timers never keep the
 * process alive. Call {@link TokenManager.close} when done.
 */
export class TokenManager extends CurrentToken {
  /** The app's API key. */
  readonly clientId: string;
  /** The store this manager reads and writes. */
  readonly store: TokenStore;
  private readonly http: AxiosInstance;
  private readonly options: TokenManagerOptions;
  private readonly accountName: string | undefined;
  private readonly login: LoginSession;
  private readonly binding: AccountBinding;

  private loaded = false;
  private removing: 'logout' | undefined;
  private closed = false;
  private loadFlight: Promise<void> | undefined;
  private refreshFlight: Promise<boolean> | undefined;

  constructor(options: TokenManagerOptions) {
    const leads: KindLeads = { ...options.kindLeadTimesMs };
    if (options.expiringLeadTimesMs) leads.daily = options.expiringLeadTimesMs;
    for (const [kind, list] of Object.entries(leads)) {
      const name = kind === 'daily' ? 'expiringLeadTimesMs' : `kindLeadTimesMs.${kind}`;
      for (const [i, lead] of (list ?? []).entries())
        assertFiniteNumber(lead, `${name}[${i}]`, { positive: true });
    }
    const skewMs = options.expirySkewMs ?? 0;
    assertFiniteNumber(skewMs, 'expirySkewMs');
    super(options.clock ?? systemClock, options.logger ?? silentLogger, skewMs, leads);
    assertNonEmptyString(options.clientId, 'clientId');
    assertNonEmptyString(options.redirectUri, 'redirectUri');
    if (!options.store || typeof options.store.get !== 'function') {
      throw new ConfigError('store must be a TokenStore', {
        details: { issues: [{ field: 'store', source: 'options', message: 'must be a TokenStore' }] },
      });
    }
    const discoveryIntervalMs = options.discoveryIntervalMs ?? 1000;
    assertFiniteNumber(discoveryIntervalMs, 'discoveryIntervalMs');
    this.options = options;
    this.clientId = options.clientId;
    this.store = options.store;
    const { baseUrl, timeoutMs } = options;
    this.http =
      options.http ??
      createUpstoxHttp({
        ...(baseUrl === undefined ? {} : { baseUrl }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    const { account } = options;
    this.accountName =
      options.accountName ?? (account && !account.startsWith('upstox:') ? account : undefined);
    this.login = new LoginSession({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: options.redirectUri,
      baseUrl,
      http: this.http,
      clock: this.clock,
      logger: this.logger,
      accountName: this.accountName,
      adopt: (record) => this.adopt(record, 'login'),
      onNotStored: options.onLoginNotStored,
    });
    const onError = (error: Error) => this.emit('error', error);
    this.binding = new AccountBinding({
      store: options.store,
      clientId: options.clientId,
      account,
      watch: options.watch ?? true,
      discoveryIntervalMs,
      onChange: (change) => this.onStoreChange(change),
      onDiscovered: (_key, record) => record && this.replace(record, 'store'),
      onError,
    });
  }

  // ---------------------------------------------------------------- login (see LoginSession)

  /** The Upstox login URL; a fresh random `state` by default, remembered for the callback. */
  getAuthorizationUrl(state?: string): string {
    return this.login.authorizationUrl(state);
  }

  /**
   * Finishes a login from the redirect URL, its query string or the bare code (the callback and
   * the paste flow alike); see {@link LoginSession.completeLogin}.
   */
  completeLogin(input: string | URL, options?: CompleteLoginOptions): Promise<TokenRecord> {
    return this.login.completeLogin(input, options);
  }

  /**
   * Exchanges a single-use authorization code for a token, stores it and makes it current.
   * @throws AuthError `HFT_AUTH_STATE_MISMATCH`, `HFT_AUTH_CODE_ALREADY_USED`,
   *   `HFT_AUTH_ACCOUNT_MISMATCH`, `HFT_AUTH_STALE_TOKEN`; ConfigError `HFT_CONFIG_MISSING`;
   *   BrokerError; NetworkError; StorageError.
   */
  exchangeCodeForToken(code: string, options: { state?: string } = {}): Promise<TokenRecord> {
    return this.login.exchangeCode(code, options);
  }

  /** Sends the v3 Access Token Request (see `createNotifierHandler` for the delivery). */
  requestToken(): Promise<TokenRequestResult> {
    return this.login.requestToken();
  }

  /**
   * Stores a token obtained elsewhere (a webhook delivery, a manual paste, a reacquire hook) and
   * makes it current. @throws InputError (invalid record); AuthError `HFT_AUTH_ACCOUNT_MISMATCH`,
   * `HFT_AUTH_STALE_TOKEN` (a token issued later is stored: it stays); StorageError.
   */
  async setToken(record: TokenRecord): Promise<void> {
    assertTokenRecord(record);
    await this.adopt(record, 'login');
  }

  /**
   * Imports a token of `kind` made elsewhere (My Apps' "Generate", the Analytics tab, a sandbox
   * app, a paste): checks it (a JWT, not expired, accepted by a call its kind may make unless
   * `verify: false`), learns whose it is, and stores it in that account's credential set beside
   * the kinds already held (newer wins per kind). Nothing is stored when a check fails.
   * @throws InputError, AuthError (`HFT_AUTH_INVALIDATED`, `HFT_AUTH_WRONG_TOKEN_KIND`,
   *   `HFT_AUTH_ACCOUNT_MISMATCH`, `HFT_AUTH_STALE_TOKEN`), BrokerError, NetworkError, StorageError.
   */
  async importToken(
    kind: TokenKind,
    token: string,
    options: ImportTokenOptions = {},
  ): Promise<ImportedToken> {
    if (!isTokenKind(kind)) {
      throw new InputError(`kind must be one of ${TOKEN_KINDS.join(', ')}`, {
        details: { argument: 'kind' },
      });
    }
    const { sandboxBaseUrl, timeoutMs } = this.options;
    const prepared = await prepareImport(kind, token, options, {
      clientId: this.clientId,
      now: this.clock.now(),
      http: this.http,
      sandboxHttp: () =>
        createUpstoxHttp({
          baseUrl: sandboxBaseUrl ?? DEFAULT_SANDBOX_BASE_URL,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        }),
    });
    const record = await this.adopt(prepared.record, 'login', [kind]);
    return { record, verified: prepared.verified };
  }

  private async adopt(
    record: TokenRecord,
    origin: 'login' | 'reacquire',
    kinds?: readonly TokenKind[],
  ): Promise<TokenRecord> {
    if (record.clientId !== this.clientId) {
      throw new AuthError(
        ErrorCodes.AUTH_ACCOUNT_MISMATCH,
        `The token belongs to client ${record.clientId}, not ${this.clientId}; it was not stored`,
      );
    }
    const key = this.binding.key;
    if (key !== undefined && key !== record.accountKey && this.binding.bound) {
      throw new AuthError(
        ErrorCodes.AUTH_ACCOUNT_MISMATCH,
        `Logged in as ${record.userId}, but this manager serves ${key}; the token was not stored. Use another --account.`,
      );
    }
    const written = await writeIfNewer(this.store, record, {
      ...(kinds === undefined ? {} : { kinds }),
      merge: (incoming, existing) => mergeCredentials(incoming, existing, this.accountName),
    });
    this.loaded = true;
    this.binding.use(written.stored.accountKey);
    this.replace(written.stored, origin);
    if (written.outcome === 'stale') {
      this.logger.warn('older token refused', { account: record.accountKey, kinds: kindsOf(record) });
      throw new AuthError(
        ErrorCodes.AUTH_STALE_TOKEN,
        `A token issued later is already stored for ${record.accountKey}; it stays in use and this one was not stored`,
      );
    }
    return written.stored;
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
    if (this.closed) throw new AuthError(ErrorCodes.AUTH_NOT_AUTHENTICATED, 'The token manager was closed');
    const found = await this.binding.resolve();
    let record = found?.record;
    if (found !== undefined) {
      this.binding.use(found.key);
      if (record === undefined) record = await this.store.get(found.key);
    }
    const firstLoad = !this.loaded && this.record === undefined;
    this.loaded = true;
    if (record) this.replace(record, firstLoad ? 'load' : 'store');
    else this.clear();
    if (this.binding.key === undefined) this.binding.startDiscovery();
  }

  /** Loads if needed, then returns the current token. Same errors as {@link getAccessToken}, plus StorageError. */
  async getValidToken(): Promise<string> {
    if (!this.loaded) await this.load();
    return this.getAccessToken();
  }

  /** The account key served, once known. */
  get accountKey(): string | undefined {
    return this.binding.key;
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
    const hook = this.options.reacquire;
    if (!hook) return false;
    const lockKey = this.binding.key ?? accountKey(this.clientId, '*');
    return this.store.withLock(lockKey, this.options.reacquireLockTtlMs ?? 120_000, async () => {
      // Another process may have reacquired while this one waited for the lock.
      await this.reload();
      if (this.isTokenValid()) return true;
      const reason = this.reason();
      this.logger.info('reacquiring token', { account: this.binding.key, reason });
      const record = await hook({ clientId: this.clientId, accountKey: this.binding.key, reason });
      if (record === undefined) return false;
      assertTokenRecord(record, 'reacquired record');
      await this.adopt(record, 'reacquire');
      return this.isTokenValid();
    });
  }

  private reason(): ReacquireReason {
    const daily = this.record?.tokens.daily;
    if (!daily) return 'missing';
    return this.invalidatedToken === daily.token ? 'invalidated' : 'expired';
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
      throw mapTokenRejection(error, () => this.markInvalidated(token));
    }
  }

  /**
   * Logs out: `DELETE /v2/logout` with the daily token (unless `broker: false`), then removes the
   * chosen kinds locally (default: the daily token; the year-long kinds stay) whatever the
   * broker said; the record goes when no kind is left. A broker failure is reported in the
   * result, not thrown. @throws StorageError when the local record cannot be changed.
   */
  async logout(options: LogoutOptions = {}): Promise<LogoutResult> {
    await this.load();
    const record = this.record;
    const daily = record?.tokens.daily;
    const kinds = options.kinds === 'all' ? TOKEN_KINDS : (options.kinds ?? ['daily']);
    const revoking = kinds.includes('daily');
    const broker = await revokeAtBroker({
      http: this.http,
      logger: this.logger,
      record,
      invalidated: daily !== undefined && this.invalidatedToken === daily.token,
      skip: options.broker === false || !revoking,
      now: this.clock.now(),
      onRejected: () => daily && this.markInvalidated(daily.token),
    });
    const key = this.binding.key;
    // The store's own change notification may arrive first: it is this logout, not a deletion.
    this.removing = 'logout';
    const removal =
      key === undefined
        ? undefined
        : await removeKinds(this.store, key, kinds).finally(() => (this.removing = undefined));
    const result: LogoutResult = {
      localRemoved: (removal?.removed.length ?? 0) > 0,
      removedKinds: removal?.removed ?? [],
      remainingKinds: removal?.remaining ? kindsOf(removal.remaining) : [],
      ...broker,
    };
    if (removal?.remaining) this.replace(removal.remaining, 'store', 'logout');
    else if (this.record) this.drop('logout');
    return result;
  }

  // ---------------------------------------------------------------- events and state

  /** Calls `listener` with the new daily token whenever one is stored, here or by another process. */
  onTokenRotated(listener: (accessToken: string, info: TokenInfo) => void): () => void {
    return this.on('token', (event) => {
      if (event.kind === 'daily') listener(event.accessToken, event.info);
    });
  }

  private onStoreChange(change: TokenStoreChange): void {
    if (this.closed) return;
    if (change.kind === 'delete') {
      if (this.record) this.drop(this.removing ?? 'deleted');
      return;
    }
    const apply = (record: TokenRecord | undefined) => {
      if (!this.closed && change.key === this.binding.key && record)
        this.replace(record, 'store', this.removing ?? 'deleted');
    };
    if (change.record) apply(change.record);
    else
      this.store.get(change.key).then(apply, (error: unknown) => {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      });
  }

  protected notAuthenticated(): AuthError {
    return new AuthError(
      ErrorCodes.AUTH_NOT_AUTHENTICATED,
      this.loaded
        ? `No token is stored for ${this.binding.key ?? `client ${this.clientId}`}; log in first`
        : 'The token manager has not loaded the store yet: await load() (or getValidToken()) first',
    );
  }

  /** Stops watching the store and clears timers. Does not close the store. */
  async close(): Promise<void> {
    this.closed = true;
    this.hot = undefined;
    this.binding.close();
    this.stopSchedules();
  }

  // ---------------------------------------------------------------- static IPs, feeds (static-ips.ts)

  /** `GET /v2/user/ip`: the registered static IPs. @throws AuthError, BrokerError, NetworkError */
  getStaticIps(): Promise<StaticIps> {
    return readStaticIps(this.callContext());
  }

  /**
   * `PUT /v2/user/ip` (once a week); then the token is invalidated (`static-ip-changed`): log in
   * again. @throws InputError (`primary`/`secondary`), AuthError, BrokerError, NetworkError
   */
  setStaticIps(ips: StaticIpInput): Promise<StaticIpChange> {
    return changeStaticIps(this.callContext(), ips);
  }

  /** The market feed's single-use `wss://` URL (`GET /v3/feed/market-data-feed/authorize`). */
  authorizeMarketFeed(): Promise<string> {
    // An analytics token may authorize the market feed too (reference §12): a data-only program
    // keeps its feed across 03:30.
    return authorizeFeedFor(this.callContext(['daily', 'analytics']), 'market');
  }

  /** The portfolio feed's single-use `wss://` URL (`GET /v2/feed/portfolio-stream-feed/authorize`). */
  authorizePortfolioFeed(options?: { updateTypes?: readonly string[] }): Promise<string> {
    return authorizeFeedFor(this.callContext(), 'portfolio', options);
  }

  private callContext(kinds?: readonly TokenKind[]): ManagerCallContext {
    return {
      http: this.http,
      token: async () => {
        await this.load();
        for (const kind of kinds ?? []) {
          const token = this.peekToken(kind);
          if (token !== undefined) return token;
        }
        return this.getAccessToken();
      },
      markInvalidated: (t, r) => this.markInvalidated(t, r),
    };
  }
}
