// The manager-level static-IP and feed calls: they take the manager's token, map Upstox's
// token rejection, and after a static-IP change treat the daily token as invalidated (Upstox
// invalidates every access token of the user on a change). TokenManager delegates here.

import { isIP } from 'node:net';
import { InputError } from '@hft/errors';
import type { AxiosInstance } from 'axios';
import type { InvalidationReason } from './token-events.js';
import { mapTokenRejection } from './token-rejection.js';
import { authorizeFeed, type FeedKind, fetchStaticIps, sendStaticIpChange } from './upstox/api.js';
import type { StaticIpChange, StaticIps } from './upstox/validate.js';

/** What these calls need from the manager. */
export interface ManagerCallContext {
  http: AxiosInstance;
  /** The daily token to call with (loads the store if needed). */
  token(): Promise<string>;
  markInvalidated(token: string, reason: InvalidationReason): void;
}

/** The new static IPs for `setStaticIps`. */
export interface StaticIpInput {
  /** The primary IP (IPv4 or IPv6). */
  primary: string;
  /** The secondary IP; `null` removes it; absent keeps the registered one. */
  secondary?: string | null;
}

/**
 * Checks the addresses of {@link StaticIpInput} (pure).
 * @throws InputError naming `primary` or `secondary`.
 */
export function checkStaticIps(input: StaticIpInput): { primary: string; secondary?: string | null } {
  if (typeof input !== 'object' || input === null) {
    throw new InputError('static IPs must be an object { primary, secondary? }', {
      details: { argument: 'ips' },
    });
  }
  const primary = typeof input.primary === 'string' ? input.primary.trim() : input.primary;
  if (typeof primary !== 'string' || isIP(primary) === 0) {
    throw new InputError('primary must be an IPv4 or IPv6 address', { details: { argument: 'primary' } });
  }
  const { secondary } = input;
  if (secondary === undefined || secondary === null)
    return { primary, ...(secondary === null ? { secondary } : {}) };
  const second = typeof secondary === 'string' ? secondary.trim() : secondary;
  if (typeof second !== 'string' || isIP(second) === 0) {
    throw new InputError('secondary must be an IPv4 or IPv6 address', { details: { argument: 'secondary' } });
  }
  if (second === primary) {
    throw new InputError('secondary must differ from primary', { details: { argument: 'secondary' } });
  }
  return { primary, secondary: second };
}

async function withToken<T>(ctx: ManagerCallContext, call: (token: string) => Promise<T>): Promise<T> {
  const token = await ctx.token();
  try {
    return await call(token);
  } catch (error) {
    throw mapTokenRejection(error, () => ctx.markInvalidated(token, 'broker-rejected'));
  }
}

/** `GET /v2/user/ip` with the manager's token. */
export function readStaticIps(ctx: ManagerCallContext): Promise<StaticIps> {
  return withToken(ctx, (token) => fetchStaticIps(ctx.http, token));
}

/**
 * `PUT /v2/user/ip` with the manager's token; on success the token is marked invalidated
 * (reason `static-ip-changed`, `invalidated` fires): the user must log in again.
 */
export async function changeStaticIps(
  ctx: ManagerCallContext,
  input: StaticIpInput,
): Promise<StaticIpChange> {
  const ips = checkStaticIps(input);
  const token = await ctx.token();
  let change: StaticIpChange;
  try {
    change = await sendStaticIpChange(ctx.http, token, ips);
  } catch (error) {
    throw mapTokenRejection(error, () => ctx.markInvalidated(token, 'broker-rejected'));
  }
  // Upstox answers access_tokens_invalidated: true; even without it a change is taken as one,
  // since an order sent with a dead token is worse than an unneeded login.
  ctx.markInvalidated(token, 'static-ip-changed');
  return change;
}

/** A feed's single-use `wss://` URL, authorized with the manager's token. */
export function authorizeFeedFor(
  ctx: ManagerCallContext,
  kind: FeedKind,
  options?: { updateTypes?: readonly string[] },
): Promise<string> {
  return withToken(ctx, (token) => authorizeFeed(ctx.http, token, kind, options));
}
