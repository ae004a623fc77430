import { randomBytes } from 'node:crypto';
import { errorReply, jsonReply, type Reply } from '../reply.js';
import type { Route, RouteContext } from './context.js';

/** The update types the portfolio stream accepts in `update_types`. */
export const PORTFOLIO_UPDATE_TYPES: readonly string[] = ['order', 'position', 'holding', 'gtt_order'];

/**
 * A single-use feed URL on the host the client called, as Upstox answers it: `wss://`, the feed
 * path, and a fresh one-time code (the emulator serves no WebSocket; the URL is what clients
 * check and reconnect with).
 */
function authorizedUrl(ctx: RouteContext, feedPath: string, extra: Record<string, string> = {}): string {
  const host = typeof ctx.headers.host === 'string' && ctx.headers.host ? ctx.headers.host : 'localhost';
  const query = new URLSearchParams({
    requestId: randomBytes(8).toString('hex'),
    code: randomBytes(12).toString('base64url'),
    ...extra,
  });
  return `wss://${host}${feedPath}?${query}`;
}

function marketFeed(ctx: RouteContext): Reply {
  const url = authorizedUrl(ctx, '/v3/feed/market-data-feed');
  return jsonReply(200, {
    status: 'success',
    data: { authorized_redirect_uri: url, authorizedRedirectUri: url },
  });
}

function portfolioFeed(ctx: RouteContext): Reply {
  const raw = ctx.query.update_types;
  const extra: Record<string, string> = {};
  if (raw !== undefined) {
    for (const type of raw.split(',')) {
      if (!PORTFOLIO_UPDATE_TYPES.includes(type)) {
        return errorReply(400, 'UDAPI100036', {
          propertyPath: 'update_types',
          invalidValue: type,
          message: `Invalid Input: update_types are ${PORTFOLIO_UPDATE_TYPES.join(', ')}`,
        });
      }
    }
    extra.update_types = raw;
  }
  const url = authorizedUrl(ctx, '/v2/feed/portfolio-stream-feed', extra);
  return jsonReply(200, {
    status: 'success',
    data: { authorized_redirect_uri: url, authorizedRedirectUri: url },
  });
}

/** Feed authorization: each call answers a new single-use `wss://` URL. */
export const feedRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v3/feed/market-data-feed/authorize',
    kind: 'api',
    auth: 'market',
    category: 'standard',
    handler: marketFeed,
  },
  {
    method: 'GET',
    pattern: '/v2/feed/portfolio-stream-feed/authorize',
    kind: 'api',
    auth: 'portfolio-read',
    category: 'standard',
    handler: portfolioFeed,
  },
];
