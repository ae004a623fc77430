// The account binding of a TokenManager: which stored account it serves (a key, a name, or the
// only one of the client), finding it when it is not stored yet (discovery), and following its
// record in the store (watch). It never decides whether a token is valid.
import { resolveAccount } from './accounts.js';
import type { TokenRecord } from './token-record.js';
import type { TokenStore, TokenStoreChange, Unsubscribe } from './token-store.js';

/** Options of {@link AccountBinding}. */
export interface AccountBindingOptions {
  store: TokenStore;
  clientId: string;
  /** An account key or a name; `undefined`: the only account stored for the client. */
  account: string | undefined;
  /** Follow the store's change notifications. */
  watch: boolean;
  /** How often to look for the account while none is known, in ms; 0 turns it off. */
  discoveryIntervalMs: number;
  /** A change to the bound account's record, from the store's watch. */
  onChange: (change: TokenStoreChange) => void;
  /** Discovery found the account (with its record when one was read). */
  onDiscovered: (key: string, record: TokenRecord | undefined) => void;
  /** A background failure (reported once per outage). */
  onError: (error: Error) => void;
}

/** Which account a manager serves, and the store subscriptions that follow it. */
export class AccountBinding {
  private accountKey: string | undefined;
  private watchedKey: string | undefined;
  private unwatch: Unsubscribe | undefined;
  private discovery: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: AccountBindingOptions) {
    if (options.account?.startsWith('upstox:')) this.accountKey = options.account;
  }

  /** The account key served, once known. */
  get key(): string | undefined {
    return this.accountKey;
  }

  /** Asked for one account (by key or name): a record of another account is never taken. */
  get bound(): boolean {
    return this.options.account !== undefined;
  }

  /**
   * Finds the account in the store: the key as given, or the resolution of a name or of "the
   * only account". The record comes along when finding it meant reading it.
   * @throws AuthError `HFT_AUTH_ACCOUNT_AMBIGUOUS`; StorageError.
   */
  async resolve(): Promise<{ key: string; record?: TokenRecord } | undefined> {
    if (this.accountKey !== undefined && this.bound) return { key: this.accountKey };
    const { store, clientId, account } = this.options;
    const found = await resolveAccount(store, clientId, account);
    if (found === undefined && this.accountKey !== undefined) return { key: this.accountKey };
    return found;
  }

  /** Serves `key` from now on: stops discovery and moves the watch to it. */
  use(key: string): void {
    this.accountKey = key;
    this.stopDiscovery();
    if (!this.options.watch || this.closed || this.watchedKey === key) return;
    this.unwatch?.();
    this.watchedKey = key;
    this.unwatch = this.options.store.watch(key, (change) => {
      if (!this.closed && change.key === this.accountKey) this.options.onChange(change);
    });
  }

  /** Polls the store for the account until it appears (see `discoveryIntervalMs`). */
  startDiscovery(): void {
    const { watch, discoveryIntervalMs, store, clientId, account } = this.options;
    if (this.discovery || this.closed || !watch || discoveryIntervalMs <= 0) return;
    if (this.accountKey !== undefined) return;
    let failing = false;
    const tick = async () => {
      if (this.closed || this.accountKey !== undefined) return this.stopDiscovery();
      try {
        const found = await resolveAccount(store, clientId, account);
        failing = false;
        if (found === undefined || this.closed || this.accountKey !== undefined) return;
        this.use(found.key);
        const record = found.record ?? (await store.get(found.key));
        if (!this.closed) this.options.onDiscovered(found.key, record);
      } catch (error) {
        // Report an outage once, then keep looking.
        if (!failing) this.options.onError(error instanceof Error ? error : new Error(String(error)));
        failing = true;
      }
    };
    this.discovery = setInterval(() => void tick(), discoveryIntervalMs);
    this.discovery.unref();
  }

  private stopDiscovery(): void {
    if (this.discovery) clearInterval(this.discovery);
    this.discovery = undefined;
  }

  /** Stops discovery and the watch. */
  close(): void {
    this.closed = true;
    this.stopDiscovery();
    this.unwatch?.();
    this.unwatch = undefined;
  }
}
