import { istWallTime } from '@hft/time/core';
import { profileFields } from '../profile-fields.js';
import { errorReply, jsonReply, type Reply } from '../reply.js';
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

function staticIps(ctx: RouteContext): Reply {
  const user = ctx.auth!.user;
  const at = istTimestamp(ctx.core.ipUpdatedAt);
  return jsonReply(200, {
    status: 'success',
    data: {
      user_id: user.userId,
      primary_ip: user.primaryIp,
      secondary_ip: user.secondaryIp,
      primary_ip_updated_at: user.primaryIp === null ? null : at,
      secondary_ip_updated_at: user.secondaryIp === null ? null : at,
    },
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
    auth: true,
    category: 'standard',
    handler: profile,
  },
  { method: 'DELETE', pattern: '/v2/logout', kind: 'api', auth: true, category: 'standard', handler: logout },
  {
    method: 'GET',
    pattern: '/v2/user/ip',
    kind: 'api',
    auth: true,
    category: 'standard',
    handler: staticIps,
  },
  {
    method: 'GET',
    pattern: '/v2/user/get-funds-and-margin',
    kind: 'api',
    auth: true,
    category: 'standard',
    handler: funds,
  },
  {
    method: 'GET',
    pattern: '/v2/portfolio/long-term-holdings',
    kind: 'api',
    auth: true,
    extendedAllowed: true,
    category: 'standard',
    handler: holdings,
  },
];
