// TokenManager: the facade a trading program holds. The current token and its hot reads live in
// CurrentToken, the account binding, the record's reads and writes in StoredToken; this class
// adds what talks to Upstox: the login session (state, codes, exchange), imports, reacquisition,
// the broker logout, the profile, static IPs and feeds.
import { InputError } from '@hft/errors';
import type { AxiosInstance } from 'axios';
import { revokeAtBroker } from './broker-logout.js';
import { type CompleteLoginOptions, LoginSession } from './login-session.js';
import {
  authorizeFeedFor,
  changeStaticIps,
  type ManagerCallContext,
  readStaticIps,
  type StaticIpInput,
} from './static-ips.js';
import { StoredToken } from './stored-token.js';
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
import { fetchProfile } from './upstox/api.js';
import { DEFAULT_SANDBOX_BASE_URL } from './upstox/endpoints.js';
import { createUpstoxHttp } from './upstox/http.js';
import type { StaticIpChange, StaticIps, TokenRequestResult, UpstoxProfile } from './upstox/validate.js';

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
export class TokenManager extends StoredToken {
  private readonly http: AxiosInstance;
  private readonly options: TokenManagerOptions;
  private readonly login: LoginSession;
  private refreshFlight: Promise<boolean> | undefined;

  constructor(options: TokenManagerOptions) {
    super(options);
    this.options = options;
    const { baseUrl, timeoutMs } = options;
    this.http =
      options.http ??
      createUpstoxHttp({
        ...(baseUrl === undefined ? {} : { baseUrl }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
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
    const removal = await this.removeLocally(kinds);
    const result: LogoutResult = {
      localRemoved: (removal?.removed.length ?? 0) > 0,
      removedKinds: removal?.removed ?? [],
      remainingKinds: removal?.remaining ? kindsOf(removal.remaining) : [],
      ...broker,
    };
    return result;
  }

  // ---------------------------------------------------------------- events and state

  /** Calls `listener` with the new daily token whenever one is stored, here or by another process. */
  onTokenRotated(listener: (accessToken: string, info: TokenInfo) => void): () => void {
    return this.on('token', (event) => {
      if (event.kind === 'daily') listener(event.accessToken, event.info);
    });
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
