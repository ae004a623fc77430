// A sliding-window log: the times of the events of the last window. One more event may happen at
// `t` when fewer than `limit` logged events lie within the window before `t`; then no span of
// the window's length ever holds more than `limit` events. Expired times are dropped as time
// moves on, so memory is bounded by the events of one window, and a check is a few comparisons
// without allocation: it can sit on a hot path.

/** Times logged at once past this many dropped ones are compacted (amortised O(1) per event). */
const COMPACT_AFTER = 1024;

/** The times of the events within the last `lengthMs`, at most `limit` of them, in order. */
export class SlidingWindowLog {
  #times: number[] = [];
  /** Index of the oldest time still within the window. */
  #head = 0;

  /**
   * @param limit Events allowed in any span of `lengthMs` (a whole number >= 1; callers check it).
   * @param lengthMs Window length in ms.
   */
  constructor(
    readonly limit: number,
    readonly lengthMs: number,
  ) {}

  /**
   * The earliest time, not before `at`, at which one more event keeps to the limit. `at` must
   * not be earlier than in the previous call (times a window before it are forgotten).
   */
  freeAt(at: number): number {
    const times = this.#times;
    const expired = at - this.lengthMs;
    let head = this.#head;
    while (head < times.length && (times[head] as number) <= expired) head += 1;
    if (head >= COMPACT_AFTER && head * 2 >= times.length) {
      times.splice(0, head);
      head = 0;
    }
    this.#head = head;
    if (times.length - head < this.limit) return at;
    return (times[head] as number) + this.lengthMs;
  }

  /** Logs an event at `at`, which must be a time {@link freeAt} allowed, in order. */
  record(at: number): void {
    this.#times.push(at);
  }
}
