// The stored side of a TokenManager: which account it serves (the binding), the one read of its
// record, the store's change notifications, and every write of a new token (newer wins, kinds
// merged) or removal of kinds. What does HTTP is TokenManager's.
import { AuthError, ConfigError, ErrorCodes } from '@hft/errors';
import { assertFiniteNumber, assertNonEmptyString } from '@hft/errors/assert';
import { systemClock } from '@hft/time/core';
import { AccountBinding } from './account-binding.js';
import { mergeCredentials, type RemovedKinds, removeKinds } from './credential-writes.js';
import { CurrentToken, type KindLeads } from './current-token.js';
import { silentLogger } from './logger-like.js';
import type { TokenManagerOptions } from './token-manager-options.js';
import { kindsOf, type TokenKind, type TokenRecord } from './token-record.js';
import type { TokenStore, TokenStoreChange } from './token-store.js';
import { writeIfNewer } from './write-if-newer.js';

/** The account binding, the store's record and its writes; the base of {@link TokenManager}. */
export abstract class StoredToken extends CurrentToken {
  /** The app's API key. */
  readonly clientId: string;
  /** The store this manager reads and writes. */
  readonly store: TokenStore;
  protected readonly accountName: string | undefined;
  protected readonly binding: AccountBinding;
  protected loaded = false;
  private removing: 'logout' | undefined;
  private closed = false;
  private loadFlight: Promise<void> | undefined;

  protected constructor(options: TokenManagerOptions) {
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
    this.clientId = options.clientId;
    this.store = options.store;
    const { account } = options;
    this.accountName =
      options.accountName ?? (account && !account.startsWith('upstox:') ? account : undefined);
    this.binding = new AccountBinding({
      store: options.store,
      clientId: options.clientId,
      account,
      watch: options.watch ?? true,
      discoveryIntervalMs,
      onChange: (change) => this.onStoreChange(change),
      onDiscovered: (_key, record) => record && this.replace(record, 'store'),
      onError: (error: Error) => this.emit('error', error),
    });
  }

  /**
   * Stores `record` (newer wins for each of `kinds`; the kinds already held are kept) and makes
   * it current. @throws AuthError `HFT_AUTH_ACCOUNT_MISMATCH`, `HFT_AUTH_STALE_TOKEN`; StorageError.
   */
  protected async adopt(
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

  /**
   * Removes `kinds` of the served account from the store and from memory (`invalidated` fires
   * with reason `logout` for each). @throws StorageError.
   */
  protected async removeLocally(kinds: readonly TokenKind[]): Promise<RemovedKinds | undefined> {
    const key = this.binding.key;
    if (key === undefined) return undefined;
    // The store's own change notification may arrive first: it is this logout, not a deletion.
    this.removing = 'logout';
    const removal = await removeKinds(this.store, key, kinds).finally(() => (this.removing = undefined));
    if (removal.remaining) this.replace(removal.remaining, 'store', 'logout');
    else if (this.record) this.drop('logout');
    return removal;
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

  /** Forgets what was loaded and reads the store again. */
  protected async reload(): Promise<void> {
    this.loaded = false;
    await this.load();
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
}
