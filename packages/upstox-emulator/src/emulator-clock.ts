import { assertFiniteNumber } from '@hft/errors/assert';
import { type Clock, systemClock } from '@hft/time/core';

/** The emulator's clock: readable like any {@link Clock}, and movable for tests and the control API. */
export interface EmulatorClock extends Clock {
  /** Jumps to `ms` (epoch milliseconds, forwards or backwards). */
  set(ms: number): void;
  /** Moves forward by `ms` milliseconds (>= 0). */
  advance(ms: number): void;
}

interface Settable extends Clock {
  set(to: number): void;
  advance(ms: number): void;
}

function isSettable(clock: Clock): clock is Settable {
  const c = clock as Partial<Settable>;
  return typeof c.set === 'function' && typeof c.advance === 'function';
}

function checkMs(value: number, argument: string, min?: number): void {
  assertFiniteNumber(value, argument, {
    ...(min !== undefined && { min }),
    expected: `a finite number${min === undefined ? '' : ` >= ${min}`} of milliseconds`,
  });
}

/**
 * Wraps `base` as an {@link EmulatorClock}. A clock that already has `set`/`advance` (a manual
 * clock) is driven directly, so the test holding it and the control API see the same time; any
 * other clock (default: the system clock) is read through an offset that `set`/`advance` move.
 *
 * @throws InputError from `set`/`advance` when the argument is not a finite number (advance: >= 0).
 */
export function createEmulatorClock(base: Clock = systemClock): EmulatorClock {
  if (isSettable(base)) {
    return {
      now: () => base.now(),
      set(ms) {
        checkMs(ms, 'set');
        base.set(ms);
      },
      advance(ms) {
        checkMs(ms, 'advanceMs', 0);
        base.advance(ms);
      },
    };
  }
  let offset = 0;
  return {
    now: () => base.now() + offset,
    set(ms) {
      checkMs(ms, 'set');
      offset = ms - base.now();
    },
    advance(ms) {
      checkMs(ms, 'advanceMs', 0);
      offset += ms;
    },
  };
}
