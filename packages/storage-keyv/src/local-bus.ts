import { type ChangeFanout, createChangeFanout } from '@hft/auth-core/store';

/**
 * In-process change notifications shared by every store over the same Keyv object: a
 * {@link ChangeFanout} delivering in microtasks, so a throwing listener never fails the write and
 * the caller may keep using its record (each listener gets a copy taken before `publish` returns).
 */
export type LocalBus = ChangeFanout;

const buses = new WeakMap<object, LocalBus>();

/** The bus of `owner` (a Keyv instance), created on first use. */
export function localBus(owner: object): LocalBus {
  let bus = buses.get(owner);
  if (!bus) {
    bus = createChangeFanout();
    buses.set(owner, bus);
  }
  return bus;
}
