import type { Clock } from '@hft/time/core';
import { systemClock } from '@hft/time/core';

/** A clock that may follow another process's notion of "now". */
export interface FollowingClock extends Clock {
  /** Stops background polling. */
  stop(): void;
}

/**
 * The clock long-running commands use. Normally the system clock. With
 * `HFT_CLOCK_SOURCE=<emulator url>` it follows an @hft/upstox-emulator's clock (polled from its
 * `GET /_emulator/clock`), so the 03:30 IST rollover can be rehearsed against the emulator
 * without waiting for the night.
 */
export async function clockFromEnv(
  env: Record<string, string | undefined>,
  pollMs = 100,
): Promise<FollowingClock> {
  const source = env.HFT_CLOCK_SOURCE;
  if (!source) return { now: () => systemClock.now(), stop() {} };
  const url = new URL('/_emulator/clock', source);
  let offset = 0;
  const sync = async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { data?: { now?: unknown } };
      if (typeof body.data?.now === 'number') offset = body.data.now - Date.now();
    } catch {
      // Keep the last offset; the source may be restarting.
    }
  };
  await sync();
  const timer = setInterval(() => void sync(), pollMs);
  timer.unref();
  return { now: () => Date.now() + offset, stop: () => clearInterval(timer) };
}
