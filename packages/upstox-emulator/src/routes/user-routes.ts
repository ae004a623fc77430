import { istWallTime } from '@hft/time/core';
import { profileFields } from '../profile-fields.js';
import { errorReply, jsonReply, type Reply } from '../reply.js';
import { isIpAddress, STATIC_IP_CHANGE_INTERVAL_MS } from '../static-ips.js';
import type { ResolvedUser } from '../types.js';
import type { Route, RouteContext } from './context.js';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `yyyy-MM-dd HH:mm:ss` in IST, the format of the static-IP timestamps. */
export function istTimestamp(ms: number): string {
  const t = istWallTime(ms);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
}

/** True inside the funds maintenance window, 00:00 (inclusive) to 05:30 (exclusive) IST. */
export function inFundsMaintenance(ms: number): boolean {
  const { hour, minute } = istWallTime(ms);
  return hour < 5 || (hour === 5 && minute < 30);
}

function profile(ctx: RouteContext): Reply {
  const user = ctx.auth!.user;
  return jsonReply(200, {
    status: 'success',
    // Upstox's sample lists ddpi between poa and is_active; JSON key order is not part of the API.
    data: { ...profileFields(user), ddpi: user.ddpi },
  });
}

function logout(ctx: RouteContext): Reply {
  ctx.core.tokens.revoke(ctx.auth!.token.token);
  return jsonReply(200, { status: 'success', data: true });
}

function staticIpData(ctx: RouteContext, user: ResolvedUser): Record<string, unknown> {
  const times = ctx.core.staticIpTimes(user.userId);
  return {
    user_id: user.userId,
    primary_ip: user.primaryIp,
    secondary_ip: user.secondaryIp,
    primary_ip_updated_at: user.primaryIp === null ? null : istTimestamp(times.primaryAt),
    secondary_ip_updated_at: user.secondaryIp === null ? null : istTimestamp(times.secondaryAt),
  };
}

function staticIps(ctx: RouteContext): Reply {
  return jsonReply(200, { status: 'success', data: staticIpData(ctx, ctx.auth!.user) });
}

function badIp(propertyPath: string, message: string, invalidValue: unknown = null): Reply {
  return errorReply(400, 'UDAPI100036', { propertyPath, invalidValue, message: `Invalid Input: ${message}` });
}

/**
 * `PUT /v2/user/ip`: changes the user's static IPs (at most once in 7 days) and invalidates the
 * user's daily tokens, the calling one included.
 */
function updateStaticIps(ctx: RouteContext): Reply {
  const { core } = ctx;
  const user = ctx.auth!.user;
  if (ctx.mediaType !== 'application/json' || ctx.invalidJson || ctx.body === undefined) {
    return badIp('body', 'the body must be a JSON object');
  }
  const primary = ctx.body.primary_ip;
  if (typeof primary !== 'string' || !isIpAddress(primary)) {
    return badIp('primary_ip', 'primary_ip must be an IPv4 or IPv6 address', primary ?? null);
  }
  const secondaryInput = ctx.body.secondary_ip;
  if (secondaryInput !== undefined && secondaryInput !== null) {
    if (typeof secondaryInput !== 'string' || !isIpAddress(secondaryInput)) {
      return badIp('secondary_ip', 'secondary_ip must be an IPv4 or IPv6 address', secondaryInput);
    }
    if (secondaryInput === primary)
      return badIp('secondary_ip', 'secondary_ip repeats primary_ip', secondaryInput);
  }
  const secondary = secondaryInput === undefined ? user.secondaryIp : secondaryInput;
  for (const other of core.users.values()) {
    if (other.userId === user.userId) continue;
    for (const [name, ip] of [
      ['primary_ip', primary],
      ['secondary_ip', secondary],
    ] as const) {
      if (ip !== null && (other.primaryIp === ip || other.secondaryIp === ip)) {
        return badIp(name, `${ip} is registered by another user`, ip);
      }
    }
  }
  const now = core.clock.now();
  const times = core.staticIpTimes(user.userId);
  if (times.changedAt !== undefined && now - times.changedAt < STATIC_IP_CHANGE_INTERVAL_MS) {
    return badIp(
      'primary_ip',
      `static IPs can be changed once a week; the next change is allowed from ${istTimestamp(
        times.changedAt + STATIC_IP_CHANGE_INTERVAL_MS,
      )} IST`,
    );
  }
  const updated: ResolvedUser = { ...user, primaryIp: primary, secondaryIp: secondary };
  core.users.set(user.userId, updated);
  core.ipTimes.set(user.userId, {
    primaryAt: now,
    secondaryAt: secondaryInput === undefined ? times.secondaryAt : now,
    changedAt: now,
  });
  core.tokens.revokeKind(user.userId, 'access');
  return jsonReply(200, {
    status: 'success',
    data: { ...staticIpData(ctx, updated), access_tokens_invalidated: true },
  });
}

const EQUITY = {
  used_margin: 1250.5,
  payin_amount: 0,
  span_margin: 0,
  adhoc_margin: 0,
  notional_cash: 0,
  available_margin: 48749.5,
  exposure_margin: 0,
};
// Since 2025-07-19 Upstox reports combined equity + commodity funds under `equity`.
const COMMODITY = {
  used_margin: 0,
  payin_amount: 0,
  span_margin: 0,
  adhoc_margin: 0,
  notional_cash: 0,
  available_margin: 0,
  exposure_margin: 0,
};

function funds(ctx: RouteContext): Reply {
  if (inFundsMaintenance(ctx.core.clock.now())) return errorReply(423, 'UDAPI100072');
  const segment = ctx.query.segment;
  if (segment !== undefined && segment !== 'SEC' && segment !== 'COM') {
    return errorReply(400, 'UDAPI100036', { propertyPath: 'segment', invalidValue: segment });
  }
  const data: Record<string, unknown> = {};
  if (segment !== 'COM') data.equity = { ...EQUITY };
  if (segment !== 'SEC') data.commodity = { ...COMMODITY };
  return jsonReply(200, { status: 'success', data });
}

function holdings(): Reply {
  return jsonReply(200, { status: 'success', data: [] });
}

/** Token-protected user and portfolio APIs. */
export const userRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v2/user/profile',
    kind: 'api',
    auth: 'account-read',
    category: 'standard',
    handler: profile,
  },
  {
    method: 'DELETE',
    pattern: '/v2/logout',
    kind: 'api',
    auth: 'account-write',
    category: 'standard',
    handler: logout,
  },
  {
    method: 'GET',
    pattern: '/v2/user/ip',
    kind: 'api',
    auth: 'account-read',
    category: 'standard',
    handler: staticIps,
  },
  {
    method: 'PUT',
    pattern: '/v2/user/ip',
    kind: 'api',
    auth: 'account-write',
    category: 'standard',
    handler: updateStaticIps,
  },
  {
    method: 'GET',
    pattern: '/v2/user/get-funds-and-margin',
    kind: 'api',
    auth: 'account-read',
    category: 'standard',
    handler: funds,
  },
  {
    method: 'GET',
    pattern: '/v2/portfolio/long-term-holdings',
    kind: 'api',
    auth: 'portfolio-read',
    category: 'standard',
    handler: holdings,
  },
];
