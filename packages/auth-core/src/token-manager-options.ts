// The options and result types of TokenManager, apart from the class so that both stay short.
import type { HftError, StorageError } from '@hft/errors';
import type { Clock } from '@hft/time/core';
import type { AxiosInstance } from 'axios';
import type { KindLeads } from './current-token.js';
import type { LoggerLike } from './logger-like.js';
import type { TokenKind, TokenRecord } from './token-record.js';
import type { TokenStore } from './token-store.js';

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
  /** Sandbox host (`https://api-sandbox.upstox.com`), where imported sandbox tokens are checked. */
  sandboxBaseUrl?: string;
  /** The axios instance for login/account calls (see `createUpstoxHttp`). */
  http?: AxiosInstance;
  /** Per-call timeout in ms for the default axios instance. Default 10 000. */
  timeoutMs?: number;
  /** Time source. Default: the system clock. */
  clock?: Clock;
  /** Logger for lifecycle messages (never given secrets). Default: silent. */
  logger?: LoggerLike;
  /** Lead times in ms before the daily token's expiry at which `expiring` fires. Default: 60 and 10 minutes. */
  expiringLeadTimesMs?: readonly number[];
  /**
   * Lead times per kind for the other kinds' `expiring` warnings. Default: 30 days for
   * `extended` and `analytics`, 7 days for `sandbox` (`daily` comes from `expiringLeadTimesMs`).
   */
  kindLeadTimesMs?: KindLeads;
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
  /**
   * Called when a login's token was issued (the code is spent) but the store refused the write:
   * keep the record somewhere safe (a 0600 recovery file, say) and resolve with what was done,
   * in words for the user; the login then fails with a StorageError that says so. Default: none
   * (the StorageError alone).
   */
  onLoginNotStored?: (record: TokenRecord, error: StorageError) => Promise<string>;
}

/** Options of {@link TokenManager.logout}. */
export interface LogoutOptions {
  /** Revoke the daily token at Upstox first (`DELETE /v2/logout`). Default true. */
  broker?: boolean;
  /**
   * Which kinds to remove: a list, or `all` (the whole credential set). Default `['daily']`: the
   * year-long kinds stay, so a data-only program keeps working.
   */
  kinds?: readonly TokenKind[] | 'all';
}

/** Outcome of {@link TokenManager.logout}. */
export interface LogoutResult {
  /** Whether a local token was removed (the record, or some of its kinds). */
  localRemoved: boolean;
  /** The kinds removed from the store. */
  removedKinds: TokenKind[];
  /** The kinds still stored for the account afterwards. */
  remainingKinds: TokenKind[];
  /**
   * `revoked`: Upstox confirmed; `already-invalid`: Upstox (or an earlier answer) says the token
   * was already revoked or replaced; `skipped`: no token, an expired one, or `broker: false`;
   * `failed`: see `error`.
   */
  broker: 'revoked' | 'already-invalid' | 'skipped' | 'failed';
  /** The broker failure, when `broker` is `failed`. The local record was still removed. */
  error?: HftError;
}
