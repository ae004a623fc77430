import { errorReply, jsonReply, type Reply } from '../reply.js';
import type { Route, RouteContext } from './context.js';

/** Most instrument keys one LTP request may carry (Upstox's documented batch size). */
export const MAX_LTP_KEYS = 500;

/** A few real NSE instruments with fixed prices: instrument key -> [trading symbol, last price]. */
export const LTP_FIXTURES: Readonly<Record<string, readonly [string, number]>> = Object.freeze({
  'NSE_EQ|INE002A01018': ['RELIANCE', 1284.5],
  'NSE_EQ|INE467B01029': ['TCS', 3310.2],
  'NSE_EQ|INE040A01034': ['HDFCBANK', 1725.35],
  'NSE_EQ|INE009A01021': ['INFY', 1612.8],
});

const INSTRUMENT_KEY = /^[A-Z_]+\|[A-Za-z0-9_-]+$/;

/** A stable made-up price for an instrument the fixtures do not list (same key, same price). */
function madeUpPrice(key: string): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) % 100_000;
  return Math.round((100 + h / 100) * 100) / 100;
}

function ltp(ctx: RouteContext): Reply {
  const raw = ctx.query.instrument_key;
  if (!raw) {
    return errorReply(400, 'UDAPI100036', {
      propertyPath: 'instrument_key',
      message: 'Invalid Input: instrument_key is required',
    });
  }
  const keys = raw.split(',');
  if (keys.length > MAX_LTP_KEYS) {
    return errorReply(400, 'UDAPI100036', {
      propertyPath: 'instrument_key',
      message: `Invalid Input: at most ${MAX_LTP_KEYS} instrument keys`,
    });
  }
  const data: Record<string, { last_price: number; instrument_token: string }> = {};
  for (const key of keys) {
    if (!INSTRUMENT_KEY.test(key)) {
      return errorReply(400, 'UDAPI100036', {
        propertyPath: 'instrument_key',
        invalidValue: key,
        message: 'Invalid Input: an instrument key looks like NSE_EQ|INE002A01018',
      });
    }
    const [segment, token] = key.split('|') as [string, string];
    const [symbol, price] = LTP_FIXTURES[key] ?? [token, madeUpPrice(key)];
    data[`${segment}:${symbol}`] = { last_price: price, instrument_token: key };
  }
  return jsonReply(200, { status: 'success', data });
}

/** Read-only market data APIs. */
export const marketRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/v2/market-quote/ltp',
    kind: 'api',
    auth: 'market',
    category: 'standard',
    handler: ltp,
  },
];
