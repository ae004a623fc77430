import { ORDER_PATHS, type OrderCategory, type OrderPath } from '../order-paths.js';
import { errorReply, isReply, jsonReply, type Reply } from '../reply.js';
import type { Route, RouteContext } from './context.js';

/** Most orders one multi-place request may carry (our limit; Upstox documents a small batch). */
export const MAX_MULTI_ORDERS = 25;

const TRANSACTION_TYPES = new Set(['BUY', 'SELL']);

function invalid(propertyPath: string, message: string, invalidValue: unknown = null): Reply {
  return errorReply(400, 'UDAPI100036', { propertyPath, invalidValue, message: `Invalid Input: ${message}` });
}

function objectBody(ctx: RouteContext): Record<string, unknown> | Reply {
  if (ctx.invalidJson || ctx.body === undefined || ctx.mediaType !== 'application/json') {
    return invalid('body', 'the body must be a JSON object');
  }
  return ctx.body;
}

function nonEmptyString(body: Record<string, unknown>, name: string): string | Reply {
  const value = body[name];
  return typeof value === 'string' && value.length > 0
    ? value
    : invalid(name, `${name} is required`, typeof value === 'string' ? value : null);
}

/** Checks the fields every order needs (a small subset of Upstox's: enough to catch a wrong body). */
function checkOrder(order: Record<string, unknown>, prefix = ''): Reply | undefined {
  const instrument = nonEmptyString(order, 'instrument_token');
  if (isReply(instrument)) return invalid(`${prefix}instrument_token`, 'instrument_token is required');
  const quantity = order.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity <= 0) {
    return invalid(`${prefix}quantity`, 'quantity must be a positive integer', quantity ?? null);
  }
  const side = order.transaction_type;
  if (typeof side !== 'string' || !TRANSACTION_TYPES.has(side)) {
    return invalid(`${prefix}transaction_type`, 'transaction_type must be BUY or SELL', side ?? null);
  }
  return undefined;
}

function success(path: OrderPath, data: unknown, extra: Record<string, unknown> = {}): Reply {
  // v3 answers carry the gateway latency in ms; a fixed small value keeps answers reproducible.
  const metadata = path.version === 3 ? { metadata: { latency: 1 } } : {};
  return jsonReply(200, { status: 'success', data, ...extra, ...metadata });
}

function gttId(ctx: RouteContext): string {
  return `GTT-C${ctx.core.nextOrderId()}`;
}

type Handler = (ctx: RouteContext, path: OrderPath) => Reply;

const HANDLERS: Record<OrderCategory, Handler> = {
  place(ctx, path) {
    const body = objectBody(ctx);
    if (isReply(body)) return body;
    const bad = checkOrder(body);
    if (bad) return bad;
    const orderId = ctx.core.nextOrderId();
    return success(path, path.version === 3 ? { order_ids: [orderId] } : { order_id: orderId });
  },
  modify(ctx, path) {
    const body = objectBody(ctx);
    if (isReply(body)) return body;
    const orderId = nonEmptyString(body, 'order_id');
    return isReply(orderId) ? orderId : success(path, { order_id: orderId });
  },
  cancel(ctx, path) {
    const orderId = ctx.query.order_id;
    return orderId ? success(path, { order_id: orderId }) : invalid('order_id', 'order_id is required');
  },
  'multi-place'(ctx, path) {
    const orders = ctx.json;
    if (!Array.isArray(orders) || orders.length === 0 || orders.length > MAX_MULTI_ORDERS) {
      return invalid('body', `the body must be a JSON array of 1 to ${MAX_MULTI_ORDERS} orders`);
    }
    const data: Array<{ correlation_id: string; order_id: string }> = [];
    for (const [i, order] of orders.entries()) {
      if (typeof order !== 'object' || order === null || Array.isArray(order)) {
        return invalid(`[${i}]`, 'each order must be a JSON object');
      }
      const fields = order as Record<string, unknown>;
      const correlationId = nonEmptyString(fields, 'correlation_id');
      if (isReply(correlationId)) return invalid(`[${i}].correlation_id`, 'correlation_id is required');
      const bad = checkOrder(fields, `[${i}].`);
      if (bad) return bad;
      data.push({ correlation_id: correlationId, order_id: ctx.core.nextOrderId() });
    }
    return success(path, data, { summary: { total: data.length, success: data.length, error: 0 } });
  },
  // The emulator keeps no order book or positions, so there is nothing open to cancel or exit.
  'multi-cancel'(_ctx, path) {
    return success(path, { order_ids: [] }, { summary: { total: 0, success: 0, error: 0 } });
  },
  'exit-all'(_ctx, path) {
    return success(path, { order_ids: [] }, { summary: { total: 0, success: 0, error: 0 } });
  },
  'gtt-place'(ctx, path) {
    const body = objectBody(ctx);
    if (isReply(body)) return body;
    const instrument = nonEmptyString(body, 'instrument_token');
    if (isReply(instrument)) return instrument;
    if (!Array.isArray(body.rules) || body.rules.length === 0) {
      return invalid('rules', 'rules must be a non-empty array');
    }
    return success(path, { gtt_order_ids: [gttId(ctx)] });
  },
  'gtt-modify'(ctx, path) {
    const body = objectBody(ctx);
    if (isReply(body)) return body;
    const id = nonEmptyString(body, 'gtt_order_id');
    return isReply(id) ? id : success(path, { gtt_order_ids: [id] });
  },
  'gtt-cancel'(ctx, path) {
    const body = objectBody(ctx);
    if (isReply(body)) return body;
    const id = nonEmptyString(body, 'gtt_order_id');
    return isReply(id) ? id : success(path, { gtt_order_ids: [id] });
  },
};

/** One route per `ORDER_PATHS` entry: daily token, static IP, `X-Algo-Name`, order bucket. */
export const orderRoutes: Route[] = ORDER_PATHS.map((path) => ({
  method: path.method,
  pattern: path.path,
  kind: 'api',
  auth: 'order',
  order: path,
  category: 'order',
  handler: (ctx: RouteContext) => HANDLERS[path.category](ctx, path),
}));
