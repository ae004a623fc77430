import { type HftError, isHftError } from '@hft/errors';
import { type LoggerLike, silentLogger } from './logger-like.js';
import { type AuthStatus, statusFromInfo } from './status.js';
import { type LogoutResult, TokenManager, type TokenManagerOptions } from './token-manager.js';

/** The credentials the authenticator needs; `@hft/config`'s `Credentials` fits this shape. */
export interface CredentialsLike {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUri: string;
}

/** Options of {@link UpstoxAuthenticator}: credentials plus every {@link TokenManager} option. */
export interface UpstoxAuthenticatorOptions
  extends Omit<TokenManagerOptions, 'clientId' | 'clientSecret' | 'redirectUri'> {
  credentials: CredentialsLike;
}

/**
 * The high-level surface of the original Python module (`UpstoxAuthenticator`), in camelCase:
 * `getLoginUrl`, `authenticate(code)` -> boolean, `getToken`, `isAuthenticated`, `getStatus`,
 * `logout`, plus the underlying {@link TokenManager} as `tokenManager` for everything else.
 *
 * `authenticate` and `logout` report failure as `false` and keep the typed error on
 * {@link lastError}, as the original documents; use `tokenManager` for throwing variants.
 */
export class UpstoxAuthenticator {
  /** The lifecycle engine behind this facade. */
  readonly tokenManager: TokenManager;
  /** The error of the last failed `authenticate` / `logout` / `load`, cleared on success. */
  lastError: HftError | undefined;
  private readonly logger: LoggerLike;

  constructor(options: UpstoxAuthenticatorOptions) {
    const { credentials, ...rest } = options;
    this.logger = options.logger ?? silentLogger;
    this.tokenManager = new TokenManager({
      ...rest,
      clientId: credentials.clientId,
      redirectUri: credentials.redirectUri,
      ...(credentials.clientSecret === undefined ? {} : { clientSecret: credentials.clientSecret }),
    });
  }

  /** Loads the stored token (call once at start-up). @throws StorageError (fail closed). */
  async load(): Promise<void> {
    await this.tokenManager.load();
  }

  /** The Upstox login URL (`state` generated when omitted). */
  getLoginUrl(state?: string): string {
    return this.tokenManager.getAuthorizationUrl(state);
  }

  /**
   * Exchanges `code` and stores the token. Resolves `true` on success; `false` on failure, with
   * the typed error on {@link lastError} and a log line (never containing the code).
   */
  async authenticate(code: string, options: { state?: string } = {}): Promise<boolean> {
    try {
      await this.tokenManager.exchangeCodeForToken(code, options);
      this.lastError = undefined;
      return true;
    } catch (error) {
      this.lastError = asHftError(error);
      this.logger.error('authentication failed', {
        code: this.lastError?.code,
        error: this.lastError?.message,
      });
      return false;
    }
  }

  /** The access token, or `null` when not authenticated, expired or invalidated. Synchronous, no I/O. */
  getToken(): string | null {
    return this.tokenManager.peekAccessToken() ?? null;
  }

  /** Whether a valid token is loaded. Synchronous, no I/O. */
  isAuthenticated(): boolean {
    return this.tokenManager.isTokenValid();
  }

  /** The status in the original module's shape (times in IST). Synchronous, no I/O. */
  getStatus(): AuthStatus {
    return statusFromInfo(this.tokenManager.getTokenInfo());
  }

  /**
   * Revokes the token at Upstox and removes it locally. Resolves `true` when the local record is
   * gone and the broker either confirmed or had nothing to revoke; `false` otherwise (see
   * {@link lastError}). The local record is removed even when the broker call fails.
   */
  async logout(options: { broker?: boolean } = {}): Promise<boolean> {
    let result: LogoutResult;
    try {
      result = await this.tokenManager.logout(options);
    } catch (error) {
      this.lastError = asHftError(error);
      return false;
    }
    this.lastError = result.error;
    return result.broker !== 'failed';
  }

  /** Stops background work (watch, timers). */
  close(): Promise<void> {
    return this.tokenManager.close();
  }
}

function asHftError(error: unknown): HftError | undefined {
  return isHftError(error) ? error : undefined;
}
