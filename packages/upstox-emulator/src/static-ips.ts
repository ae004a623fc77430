import { isIP } from 'node:net';
import type { ResolvedUser } from './types.js';

/** A user may change the registered static IPs (`PUT /v2/user/ip`) once in this span: 7 days. */
export const STATIC_IP_CHANGE_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;

/** When a user's static IPs were set, and when `PUT /v2/user/ip` last changed them. */
export interface StaticIpTimes {
  /** Epoch ms the primary IP was set. */
  primaryAt: number;
  /** Epoch ms the secondary IP was set. */
  secondaryAt: number;
  /** Epoch ms of the last change through `PUT /v2/user/ip`; undefined = never. */
  changedAt?: number;
}

/**
 * The client's address as Upstox would see it: IPv4-mapped IPv6 (`::ffff:127.0.0.1`) becomes the
 * plain IPv4 address; IPv6 is lower-cased; a missing address is the empty string.
 */
export function normaliseIp(address: string | undefined): string {
  if (!address) return '';
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

/** True when `value` is an IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/** The user's registered static IPs (primary first), normalised. */
export function registeredIps(user: ResolvedUser): string[] {
  return [user.primaryIp, user.secondaryIp].filter((ip): ip is string => ip !== null).map(normaliseIp);
}

/**
 * Why an order from `origin` is refused for `user` (the UDAPI1154 message), or undefined when the
 * origin is registered. `forced` (the `ipNotRegistered` fault) refuses whatever the origin.
 */
export function staticIpRefusal(user: ResolvedUser, origin: string, forced = false): string | undefined {
  const registered = registeredIps(user);
  if (registered.length === 0) return 'No static IP has been configured';
  if (!forced && registered.includes(origin)) return undefined;
  return (
    'Access to this API is blocked due to static IP restrictions: ' +
    `configured static IP (${registered.join(', ')}) does not match origin IP (${origin || 'unknown'})`
  );
}
