// The login session: the one owner of the OAuth `state` values handed out, of the single-use
// authorization codes already sent, and of the exchange itself. Every way a user finishes a
// login (the loopback callback, a pasted redirect URL or code, a library call) ends here.
import { createHash } from 'node:crypto';
import { AuthError, ConfigError, ErrorCodes, InputError, StorageError } from '@hft/errors';
import { assertNonEmptyString } from '@hft/errors/assert';
import type { Clock } from '@hft/time/core';
import type { AxiosInstance } from 'axios';
import type { LoggerLike } from './logger-like.js';
import type { TokenRecord } from './token-record.js';
import { sendCodeExchange, sendTokenRequest } from './upstox/api.js';
import { buildAuthorizationUrl, generateState } from './upstox/authorize-url.js';
import { parseCallback, safeEqual } from './upstox/callback.js';
import { processTokenResponse, type TokenRequestResult } from './upstox/validate.js';

/** Options of {@link LoginSession}. */
export interface LoginSessionOptions {
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  baseUrl: string | undefined;
  http: AxiosInstance;
  clock: Clock;
  logger: LoggerLike;
  /** Name recorded on tokens obtained here. */
  accountName: string | undefined;
  /** Stores an exchanged record and makes it current; resolves with what is in use. */
  adopt: (record: TokenRecord) => Promise<TokenRecord>;
  /** See `TokenManagerOptions.onLoginNotStored`. */
  onNotStored: ((record: TokenRecord, error: StorageError) => Promise<string>) | undefined;
}

/** Options of {@link LoginSession.completeLogin}. */
export interface CompleteLoginOptions {
  /**
   * Refuse a redirect URL that carries no `state` (the loopback callback: Upstox always echoes
   * the state we sent). Default false: a pasted URL may come from a page that dropped it.
   */
  requireState?: boolean;
}

const MAX_REMEMBERED_CODES = 1000;
// What an authorization code looks like when it is pasted alone (Upstox's are 6 characters).
const BARE_CODE = /^[A-Za-z0-9._~-]{4,512}$/;

/** The OAuth side of a {@link TokenManager}: state, single-use codes, the exchange. */
export class LoginSession {
  private readonly pendingStates = new Set<string>();
  private readonly codes = new Map<string, Promise<TokenRecord> | 'settled'>();

  constructor(private readonly options: LoginSessionOptions) {}

  /** The Upstox login URL; `state` (fresh and random by default) is remembered for the callback. */
  authorizationUrl(state: string = generateState()): string {
    const { clientId, redirectUri, baseUrl } = this.options;
    const url = buildAuthorizationUrl({
      clientId,
      redirectUri,
      state,
      ...(baseUrl === undefined ? {} : { baseUrl }),
    });
    this.pendingStates.add(state);
    return url;
  }

  /**
   * Finishes a login from whatever the user has: the full redirect URL, its query string
   * (`?code=...&state=...`) or the bare code. A URL's `state` must be one handed out here.
   * @throws InputError (not a redirect URL or code); AuthError `HFT_AUTH_STATE_MISMATCH`,
   *   `HFT_AUTH_CALLBACK_INVALID`, and everything {@link exchangeCode} throws.
   */
  completeLogin(input: string | URL, options: CompleteLoginOptions = {}): Promise<TokenRecord> {
    try {
      const { code, state } = this.readRedirect(input, options.requireState === true);
      return this.exchangeCode(code, state === undefined ? {} : { state });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private readRedirect(input: string | URL, requireState: boolean): { code: string; state?: string } {
    if (typeof input === 'string') {
      const text = input.trim();
      if (text.length === 0) {
        throw new InputError('Nothing was given: pass the redirect URL or the authorization code', {
          details: { argument: 'redirect' },
        });
      }
      if (!/^https?:\/\//i.test(text) && !text.startsWith('?')) {
        if (!BARE_CODE.test(text)) {
          throw new InputError('That does not look like a redirect URL or an authorization code', {
            details: { argument: 'redirect' },
          });
        }
        return { code: text };
      }
      input = text;
    }
    const params =
      input instanceof URL
        ? input.searchParams
        : input.startsWith('?')
          ? new URLSearchParams(input)
          : safeUrl(input).searchParams;
    const sent = params.get('state') ?? undefined;
    const expected = sent === undefined ? undefined : [...this.pendingStates].find((s) => safeEqual(s, sent));
    if (sent !== undefined && expected === undefined) throw stateMismatch();
    // parseCallback words the missing-state refusal and reads the code or the error.
    return parseCallback(input, requireState ? (expected ?? '') : expected);
  }

  /**
   * Exchanges an authorization code for a token and hands it to `adopt`.
   *
   * The code is single use: concurrent calls with the same code share one exchange, and a code
   * that was already sent (successfully or not) is refused without contacting Upstox.
   *
   * @param options.state The state from the callback; when given it must be one handed out here.
   * @throws AuthError `HFT_AUTH_STATE_MISMATCH`, `HFT_AUTH_CODE_ALREADY_USED`; ConfigError
   *   `HFT_CONFIG_MISSING` (no client secret); whatever `adopt`, Upstox or the network throws.
   */
  exchangeCode(code: string, options: { state?: string } = {}): Promise<TokenRecord> {
    assertNonEmptyString(code, 'code');
    const { state } = options;
    if (state !== undefined && ![...this.pendingStates].some((s) => safeEqual(s, state))) {
      return Promise.reject(stateMismatch());
    }
    const id = createHash('sha256').update(code).digest('base64url');
    const seen = this.codes.get(id);
    if (seen === 'settled') return Promise.reject(codeUsed());
    // A double submit while the first exchange is still running shares its outcome.
    if (seen) return seen;
    const flight = this.exchange(code).finally(() => this.codes.set(id, 'settled'));
    this.codes.set(id, flight);
    if (this.codes.size > MAX_REMEMBERED_CODES) this.codes.delete(this.codes.keys().next().value as string);
    if (state !== undefined) this.pendingStates.delete(state);
    return flight;
  }

  private async exchange(code: string): Promise<TokenRecord> {
    const { clientId, redirectUri, http, clock, logger, accountName } = this.options;
    const clientSecret = this.requireSecret('exchange an authorization code');
    logger.info('exchanging authorization code', { clientId });
    const body = await sendCodeExchange(http, { code, clientId, clientSecret, redirectUri });
    const record = processTokenResponse(body, {
      clientId,
      clock,
      source: 'oauth',
      ...(accountName === undefined ? {} : { accountName }),
    });
    let stored: TokenRecord;
    try {
      stored = await this.options.adopt(record);
    } catch (error) {
      // The code is spent and Upstox issued a token: losing it silently would lose the login.
      const keep = this.options.onNotStored;
      if (!(error instanceof StorageError) || keep === undefined) throw error;
      const kept = await keep(record, error);
      logger.warn('login not stored', { account: record.accountKey, code: error.code });
      throw new StorageError(`Logged in, but nothing was written to the store (${error.message}); ${kept}`, {
        backend: error.backend,
        code: error.code,
        cause: error,
      });
    }
    logger.info('login stored', { account: stored.accountKey, expiresAt: stored.tokens.daily?.expiresAt });
    return stored;
  }

  /**
   * Sends the v3 Access Token Request (Upstox asks the user to approve in its app, then POSTs the
   * token to the notifier webhook). @throws ConfigError `HFT_CONFIG_MISSING`; BrokerError; NetworkError.
   */
  requestToken(): Promise<TokenRequestResult> {
    try {
      const clientSecret = this.requireSecret('send a token request');
      return sendTokenRequest(this.options.http, { clientId: this.options.clientId, clientSecret });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private requireSecret(purpose: string): string {
    const secret = this.options.clientSecret;
    if (!secret) {
      throw new ConfigError(`The client secret is needed to ${purpose}: set UPSTOX_CLIENT_SECRET`, {
        code: ErrorCodes.CONFIG_MISSING,
        details: {
          issues: [{ field: 'credentials.clientSecret', source: 'options', message: 'is required' }],
        },
      });
    }
    return secret;
  }
}

function safeUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new InputError('That is not a valid redirect URL', { details: { argument: 'redirect' } });
  }
}

function stateMismatch(): AuthError {
  return new AuthError(
    ErrorCodes.AUTH_STATE_MISMATCH,
    'The callback state does not match any login started here; nothing was exchanged. Start the login again.',
  );
}

function codeUsed(): AuthError {
  return new AuthError(
    ErrorCodes.AUTH_CODE_ALREADY_USED,
    'This authorization code was already sent to Upstox once (codes are single use); log in again for a new one',
  );
}
