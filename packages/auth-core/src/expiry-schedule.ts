// The expiry schedule of one token: fires each `expiring` lead and `expired` once per token, at
// the injected clock's time, with one unref'd timer armed for the next due moment.
import type { Clock } from '@hft/time/core';

// setTimeout's maximum; longer waits are re-armed when they fire.
const MAX_TIMER_MS = 2_147_483_647;

/** What an {@link ExpirySchedule} reports. */
export interface ExpiryListener {
  /** The token expires within `leadMs` (once per lead and token). */
  expiring(leadMs: number, remainingMs: number): void;
  /** The token reached its expiry (once per token). */
  expired(): void;
  /** The skewed expiry passed: a cached "known valid" answer must be dropped. */
  lapsed(): void;
}

/** Options of {@link ExpirySchedule}. */
export interface ExpiryScheduleOptions {
  clock: Clock;
  /** Lead times in ms before expiry, in any order. */
  leadsMs: readonly number[];
  /** A token counts as expired this many ms early. */
  skewMs: number;
  listener: ExpiryListener;
}

/** Timers and once-per-token bookkeeping for the `expiring` / `expired` events of one token. */
export class ExpirySchedule {
  private readonly leads: number[];
  private readonly fired = new Set<string>();
  private expiresAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ExpiryScheduleOptions) {
    this.leads = [...options.leadsMs].sort((a, b) => b - a);
  }

  /**
   * Follows a token expiring at `expiresAt` (`undefined`: none). `isNewToken` resets what has
   * fired, so a new token gets its own warnings. Checks at once.
   */
  follow(expiresAt: number | undefined, isNewToken: boolean): void {
    if (isNewToken) this.fired.clear();
    this.expiresAt = expiresAt;
    if (expiresAt === undefined) this.disarm();
    else this.check();
  }

  /** Emits what is due at the clock's current time, then arms the timer for the next due moment. */
  check(): void {
    const expiresAt = this.expiresAt;
    if (expiresAt === undefined || this.stopped) return;
    const now = this.options.clock.now();
    const remaining = expiresAt - now;
    const { listener } = this.options;
    if (now + this.options.skewMs >= expiresAt) listener.lapsed();
    for (const lead of this.leads) {
      const id = `lead:${lead}`;
      if (remaining > 0 && remaining <= lead && !this.fired.has(id)) {
        this.fired.add(id);
        listener.expiring(lead, remaining);
      }
    }
    if (remaining <= 0 && !this.fired.has('expired')) {
      this.fired.add('expired');
      listener.expired();
    }
    this.arm(expiresAt, now);
  }

  private arm(expiresAt: number, now: number): void {
    this.disarm();
    const dues = [...this.leads.map((lead) => expiresAt - lead), expiresAt].filter((t) => t > now);
    if (dues.length === 0) return;
    const wait = Math.min(Math.min(...dues) - now, MAX_TIMER_MS);
    this.timer = setTimeout(() => this.check(), wait);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Clears the timer for good. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }
}
