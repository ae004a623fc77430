// Upstox delivers a token once and never retries, so a delivery we could not confirm yet (Upstox
// unreachable, our check bound reached, the store down) is kept here and checked again later
// rather than answered with an error and lost. Held tokens are not trusted: nothing is stored
// or served until Upstox confirms them.
import type { ValidDelivery } from './delivery.js';

/** How held deliveries are kept and retried (option `retry` of `createNotifierHandler`). */
export interface RetryOptions {
  /** Most deliveries held at once; one more is answered 429. Default 100. */
  maxHeld?: number;
  /** Delay before the first retry, in ms; doubled after each failed one. Default 1 000. */
  initialDelayMs?: number;
  /** Longest delay between retries, in ms. Default 60 000. */
  maxDelayMs?: number;
  /**
   * Run due retries on a timer (unref'd, so it never keeps a process alive). `false`: only
   * when you call `handler.retryDue()` (tests with a manual clock, or your own scheduler).
   * Default true.
   */
  auto?: boolean;
}

/** One held delivery. */
export interface HeldDelivery {
  readonly id: string;
  readonly delivery: ValidDelivery;
  readonly remoteAddress: string;
  /** Failed checks so far (0 when it was held without an attempt, over the check bound). */
  attempts: number;
  /** Epoch ms by the handler's clock when the next check is due. */
  dueAt: number;
}

/** The bounded set of held deliveries, keyed by a hash of the token. */
export class HeldDeliveries {
  readonly #byId = new Map<string, HeldDelivery>();
  readonly #max: number;
  readonly #initial: number;
  readonly #maxDelay: number;

  /** @throws RangeError when a bound is not a positive number. */
  constructor(options: RetryOptions = {}) {
    this.#max = options.maxHeld ?? 100;
    this.#initial = options.initialDelayMs ?? 1000;
    this.#maxDelay = options.maxDelayMs ?? 60_000;
    for (const [name, value] of [
      ['retry.maxHeld', this.#max],
      ['retry.initialDelayMs', this.#initial],
      ['retry.maxDelayMs', this.#maxDelay],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
    }
  }

  /** How many are held. */
  get size(): number {
    return this.#byId.size;
  }

  /** Whether the delivery with this id is held. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /**
   * Holds a delivery (a no-op when it is held already), due after the first delay. `attempted`:
   * its check was made and failed (false: it was never checked, over the bound). Returns false
   * when the set is full.
   */
  add(entry: Omit<HeldDelivery, 'attempts' | 'dueAt'>, now: number, attempted: boolean): boolean {
    if (this.#byId.has(entry.id)) return true;
    if (this.#byId.size >= this.#max) return false;
    const attempts = attempted ? 1 : 0;
    this.#byId.set(entry.id, { ...entry, attempts, dueAt: now + this.delayAfter(attempts) });
    return true;
  }

  /** Schedules the next check of a held delivery after one more failed (or skipped) attempt. */
  postpone(entry: HeldDelivery, now: number, attempted: boolean): void {
    if (attempted) entry.attempts += 1;
    entry.dueAt = now + this.delayAfter(entry.attempts);
  }

  /** Stops holding it. */
  remove(id: string): void {
    this.#byId.delete(id);
  }

  /** The held deliveries due at `now`, earliest first. */
  due(now: number): HeldDelivery[] {
    return [...this.#byId.values()].filter((e) => e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
  }

  /** When the next one is due (epoch ms), if any is held. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const e of this.#byId.values()) if (next === undefined || e.dueAt < next) next = e.dueAt;
    return next;
  }

  /** Delay before the check that follows `attempts` failed ones: 1x, 2x, 4x... the initial delay, capped. */
  delayAfter(attempts: number): number {
    if (attempts === 0) return this.#initial;
    return Math.min(this.#initial * 2 ** (attempts - 1), this.#maxDelay);
  }
}
