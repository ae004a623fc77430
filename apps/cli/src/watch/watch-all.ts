// `hft watch --all`: one process following every account of the store. It keeps a summary per
// account (from one listing), hears changes through the store's watchAll (no polling of the
// records), and times the expiring/expired events of every account with one timer check per
// second that costs nothing until the next event is due.
import { createHash } from 'node:crypto';
import type { AccountSummary, TokenRecord, TokenStore, TokenStoreChange } from '@hft/auth-core/store';
import { summarizeRecord } from '@hft/auth-core/store';
import { toIstIso } from '@hft/time';
import type { Clock } from '@hft/time/core';
import type { WatchEvent } from './sinks.js';

/** Options of {@link watchAllAccounts}. */
export interface WatchAllOptions {
  store: TokenStore;
  /** Only this client's accounts; all when `undefined`. */
  clientId: string | undefined;
  clock: Clock;
  /** Lead times before expiry for `expiring`, in ms. */
  leadsMs: readonly number[];
  /** Receives each event (an account's, or the store's). */
  emit(event: Omit<WatchEvent, 'at'>): void;
  /** How often the whole listing is read again, in ms (catches up after lost notifications). */
  resyncEveryMs: number;
  /** How often the store is probed with one small read, in ms (notices an outage, and its end). */
  probeEveryMs: number;
  /**
   * Monotonic ms for the probe and resync intervals. Default `performance.now`: they are
   * operational periods, not token time, so a followed or jumping clock must not stretch them.
   */
  elapsed?: () => number;
}

/** A running {@link watchAllAccounts}. */
export interface AllAccountsWatch {
  /** How many accounts were found at start. */
  readonly count: number;
  /** Checks the timers (call often: it costs nothing until an event is due). */
  tick(): Promise<void>;
  /** Stops watching. */
  stop(): void;
}

interface Followed {
  summary: AccountSummary;
  /** A digest of the record last read (kept in memory only), to tell a new token from a repeat. */
  digest?: string;
  /** Leads already fired (or passed before the watch began) for this expiry. */
  fired: Set<number>;
  expiredFired: boolean;
}

/**
 * Starts following every account of `options.store`. Events already past when the watch
 * starts (a lead time crossed, a token already expired) are not sent: only what happens from
 * now on. @throws StorageError when the first listing fails.
 */
export async function watchAllAccounts(options: WatchAllOptions): Promise<AllAccountsWatch> {
  const { store, clientId, clock, emit } = options;
  const leads = [...options.leadsMs].sort((a, b) => b - a);
  const accounts = new Map<string, Followed>();
  let nextDue = Number.POSITIVE_INFINITY;
  let storeDown = false;
  const elapsed = options.elapsed ?? (() => performance.now());
  let lastSync = elapsed();
  let lastProbe = elapsed();
  // A key no account has: reading it costs one small round trip and answers "nothing".
  const probeKey = `upstox:${clientId ?? 'hft-watch'}:hft-watch-probe`;

  const ours = (s: AccountSummary) => clientId === undefined || s.clientId === clientId;
  const event = (name: string, s: AccountSummary | undefined, detail: string | null = null) => {
    const now = clock.now();
    emit({
      event: name,
      account: s?.key ?? null,
      user_id: s?.userId ?? null,
      expires_at: s?.expiresAt === undefined ? null : toIstIso(s.expiresAt),
      time_left_seconds:
        s?.expiresAt === undefined ? null : Math.max(0, Math.floor((s.expiresAt - now) / 1000)),
      detail,
    });
  };

  /** The daily token's expiry; an account without one has nothing to expire. */
  const expiryOf = (summary: AccountSummary): number => summary.expiresAt ?? Number.POSITIVE_INFINITY;

  /** The state of a new expiry at `now`: whatever is already past counts as told. */
  const follow = (summary: AccountSummary, now: number): Followed => ({
    summary,
    fired: new Set(leads.filter((lead) => now >= expiryOf(summary) - lead)),
    expiredFired: now >= expiryOf(summary),
  });
  const dueOf = (f: Followed): number => {
    if (f.expiredFired) return Number.POSITIVE_INFINITY;
    const pending = leads.filter((lead) => !f.fired.has(lead)).map((lead) => expiryOf(f.summary) - lead);
    return Math.min(expiryOf(f.summary), ...pending);
  };
  const recomputeDue = () => {
    nextDue = Number.POSITIVE_INFINITY;
    for (const f of accounts.values()) nextDue = Math.min(nextDue, dueOf(f));
  };

  const digestOf = (record: TokenRecord) => createHash('sha256').update(JSON.stringify(record)).digest('hex');

  /**
   * A summary read now (from the listing, or with the record after a change): tells what is
   * new about the account. A listing tells a new token by its expiry; a change, by its record.
   */
  const update = (summary: AccountSummary, quiet: boolean, record?: TokenRecord) => {
    const now = clock.now();
    const known = accounts.get(summary.key);
    const digest = record ? digestOf(record) : undefined;
    const same =
      known !== undefined &&
      expiryOf(known.summary) === expiryOf(summary) &&
      // A change the store announced is a write: news unless it left the very record seen last.
      (digest === undefined || known.digest === digest);
    if (known && same) {
      known.summary = summary;
      known.digest = digest ?? known.digest;
      return;
    }
    const followed: Followed = { ...follow(summary, now), ...(digest ? { digest } : {}) };
    accounts.set(summary.key, followed);
    nextDue = Math.min(nextDue, dueOf(followed));
    if (!quiet) event('token', summary, known ? 'store' : 'new account');
  };
  const removed = (key: string) => {
    const known = accounts.get(key);
    if (!known) return;
    accounts.delete(key);
    event('invalidated', known.summary, 'deleted');
  };

  const outage = (error: unknown) => {
    if (!storeDown) {
      storeDown = true;
      event('store-error', undefined, error instanceof Error ? error.message : String(error));
    }
  };
  const recovered = () => {
    if (!storeDown) return;
    storeDown = false;
    event('store-recovered', undefined);
  };

  const sync = async (quiet: boolean) => {
    const listed = (await store.summaries()).filter(ours);
    const seen = new Set<string>();
    for (const summary of listed) {
      seen.add(summary.key);
      update(summary, quiet);
    }
    for (const key of [...accounts.keys()]) if (!seen.has(key)) removed(key);
  };

  const onChange = (change: TokenStoreChange) => {
    if (change.kind === 'delete') {
      removed(change.key);
      return;
    }
    void (async () => {
      try {
        const record = change.record ?? (await store.get(change.key));
        recovered();
        if (!record) removed(change.key);
        else {
          const summary = summarizeRecord(change.key, record);
          if (ours(summary)) update(summary, false, record);
        }
      } catch (error) {
        outage(error);
      }
    })();
  };

  // Subscribe first, then list: a change between the two is heard (at worst twice, never lost).
  const unwatch = store.watchAll(onChange);
  try {
    await sync(true);
  } catch (error) {
    unwatch();
    throw error;
  }
  let syncing = false;

  return {
    count: accounts.size,
    async tick() {
      const now = clock.now();
      if (now >= nextDue) {
        for (const f of accounts.values()) {
          for (const lead of leads) {
            if (f.fired.has(lead) || now < expiryOf(f.summary) - lead) continue;
            f.fired.add(lead);
            if (now < expiryOf(f.summary)) event('expiring', f.summary, `${lead / 60_000} min before expiry`);
          }
          if (!f.expiredFired && now >= expiryOf(f.summary)) {
            f.expiredFired = true;
            event('expired', f.summary);
          }
        }
        recomputeDue();
      }
      if (syncing) return;
      const at = elapsed();
      const resync = at - lastSync >= options.resyncEveryMs;
      const probe = at - lastProbe >= options.probeEveryMs;
      if (!resync && !probe) return;
      syncing = true;
      lastProbe = at;
      try {
        if (probe && !resync) await store.get(probeKey);
        // Back from an outage: changes made meanwhile may not have been announced.
        if (resync || storeDown) {
          lastSync = at;
          await sync(false);
        }
        recovered();
      } catch (error) {
        outage(error);
      } finally {
        syncing = false;
      }
    },
    stop: unwatch,
  };
}
