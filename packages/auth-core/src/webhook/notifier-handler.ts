import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerError, StorageError } from '@hft/errors';
import { type Clock, systemClock } from '@hft/time/core';
import type { AxiosInstance } from 'axios';
import { type LoggerLike, silentLogger } from '../logger-like.js';
import { accountKey, type TokenRecord } from '../token-record.js';
import type { TokenStore } from '../token-store.js';
import { fetchProfile } from '../upstox/api.js';
import { createUpstoxHttp } from '../upstox/http.js';
import type { UpstoxProfile } from '../upstox/validate.js';
import { DeliveryRejected, validateDelivery } from './delivery.js';

/** What happened to one delivery (for logs and `hft webhook serve`); never contains the token. */
export interface DeliveryOutcome {
  /** HTTP status answered. */
  status: number;
  /** `stored`: a new token was written; `duplicate`: already stored; `rejected`: refused. */
  result: 'stored' | 'duplicate' | 'rejected';
  /** Why it was refused. */
  reason?: string;
  /** The user the delivery named, when it got that far. */
  userId?: string;
  /** The sender's address. */
  remoteAddress?: string;
}

/** Options of {@link createNotifierHandler}. */
export interface NotifierHandlerOptions {
  /** Our API key: deliveries for other clients are refused (403). */
  clientId: string;
  /** Where accepted tokens are written; every process watching it sees the new token. */
  store: TokenStore;
  /**
   * Confirms a delivered token with Upstox and returns its profile. Default: `GET
   * /v2/user/profile` with the token, through `http` / `baseUrl`.
   */
  verify?: (accessToken: string) => Promise<UpstoxProfile>;
  /** API base URL for the default `verify`. Default `https://api.upstox.com`. */
  baseUrl?: string;
  /** axios instance for the default `verify`. */
  http?: AxiosInstance;
  /**
   * Accept deliveries only on this exact path (e.g. `/upstox/notify/<long random segment>`): an
   * unguessable path keeps strangers from posting fake tokens. Other paths get 404. Default: any.
   */
  path?: string;
  /** Accept deliveries only from these addresses (IPv4 or IPv6, exact). Others get 403. Default: any. */
  allowFrom?: readonly string[];
  /** Clock for the time checks. Default: the system clock. */
  clock?: Clock;
  /** How far in the future `issued_at` may be, in ms. Default 120 000. */
  maxFutureSkewMs?: number;
  /** Largest accepted body in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** Name recorded on stored tokens (`--account NAME`). */
  accountName?: string;
  /** Logger; one line per delivery, never with the token. Default: silent. */
  logger?: LoggerLike;
  /** Called after each delivery with its outcome. */
  onDelivery?: (outcome: DeliveryOutcome) => void;
}

/** A Node request handler: `(req, res) => Promise<void>`. Extra arguments (Express's `next`) are ignored. */
export type NotifierHandler = (
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
) => Promise<void>;

function normaliseAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new DeliveryRejected(413, `body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new DeliveryRejected(413, `body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/**
 * The receiver for Upstox's notifier webhook (the v3 Access Token Request delivers the approved
 * token here). Usable in `node:http`, Express (`app.post(path, handler)`; a body already parsed
 * by `express.json()` is used as is) and Fastify (`reply.hijack(); handler(Object.assign(req.raw,
 * { body: req.body }), reply.raw)`).
 *
 * It accepts only POST with a JSON body under `maxBodyBytes`; checks `message_type`,
 * `client_id`, `token_type` and the times (see `validateDelivery`); confirms the token with
 * Upstox and that the profile's user is the delivery's `user_id`; then stores it. A repeated
 * delivery of the stored token is answered 200 without a second write, and concurrent
 * deliveries of one token share one confirmation and one write. Everything else gets a 4xx
 * (5xx when Upstox or the store cannot be reached) with a JSON reason; nothing is stored.
 */
export function createNotifierHandler(options: NotifierHandlerOptions): NotifierHandler {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const limit = options.maxBodyBytes ?? 16 * 1024;
  const allow = options.allowFrom ? new Set(options.allowFrom.map(normaliseAddress)) : undefined;
  const http =
    options.http ?? createUpstoxHttp(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl });
  const verify = options.verify ?? ((token: string) => fetchProfile(http, token));
  const inFlight = new Map<string, Promise<{ result: 'stored' | 'duplicate'; userId: string }>>();

  const accept = async (body: unknown): Promise<{ result: 'stored' | 'duplicate'; userId: string }> => {
    const delivery = validateDelivery(body, {
      clientId: options.clientId,
      clock,
      ...(options.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: options.maxFutureSkewMs }),
    });
    const id = createHash('sha256').update(delivery.accessToken).digest('base64url');
    let flight = inFlight.get(id);
    if (!flight) {
      flight = store(delivery).finally(() => inFlight.delete(id));
      inFlight.set(id, flight);
    }
    return flight;
  };

  const store = async (delivery: ReturnType<typeof validateDelivery>) => {
    const key = accountKey(delivery.clientId, delivery.userId);
    const existing = await options.store.get(key);
    if (existing?.accessToken === delivery.accessToken)
      return { result: 'duplicate' as const, userId: delivery.userId };
    let profile: UpstoxProfile;
    try {
      profile = await verify(delivery.accessToken);
    } catch (error) {
      if (error instanceof BrokerError && error.status >= 400 && error.status < 500) {
        throw new DeliveryRejected(
          422,
          `Upstox rejected the delivered token (${error.brokerCode ?? error.status})`,
        );
      }
      throw new DeliveryRejected(502, 'could not confirm the token with Upstox; retry later');
    }
    if (profile.userId !== delivery.userId) {
      throw new DeliveryRejected(422, "user_id does not match the token's profile");
    }
    const record: TokenRecord = {
      accountKey: key,
      clientId: delivery.clientId,
      accessToken: delivery.accessToken,
      userId: delivery.userId,
      exchanges: profile.exchanges,
      products: profile.products,
      orderTypes: profile.orderTypes,
      issuedAt: delivery.issuedAt,
      expiresAt: delivery.expiresAt,
      source: 'request',
    };
    const name = options.accountName ?? existing?.accountName;
    if (name !== undefined) record.accountName = name;
    if (profile.userName !== undefined) record.userName = profile.userName;
    if (profile.email !== undefined) record.email = profile.email;
    if (profile.broker !== undefined) record.broker = profile.broker;
    if (profile.userType !== undefined) record.userType = profile.userType;
    if (profile.poa !== undefined) record.poa = profile.poa;
    if (profile.isActive !== undefined) record.isActive = profile.isActive;
    // The extended token is not part of a delivery; keep the one we have.
    if (existing?.extendedToken !== undefined) record.extendedToken = existing.extendedToken;
    await options.store.set(key, record);
    return { result: 'stored' as const, userId: delivery.userId };
  };

  return async (req, res) => {
    const remoteAddress = normaliseAddress(req.socket.remoteAddress);
    const finish = (outcome: DeliveryOutcome, extraHeaders: Record<string, string> = {}) => {
      const body =
        outcome.result === 'rejected'
          ? { status: 'error', reason: outcome.reason }
          : { status: 'success', result: outcome.result };
      if (!res.headersSent) {
        res.writeHead(outcome.status, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          ...extraHeaders,
        });
        res.end(JSON.stringify(body));
      }
      const meta = {
        status: outcome.status,
        result: outcome.result,
        reason: outcome.reason,
        userId: outcome.userId,
        remoteAddress,
      };
      if (outcome.result === 'rejected') logger.warn('notifier delivery refused', meta);
      else logger.info('notifier delivery accepted', meta);
      options.onDelivery?.(outcome);
    };
    const reject = (status: number, reason: string, headers?: Record<string, string>) =>
      finish({ status, result: 'rejected', reason, remoteAddress }, headers);

    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    if (options.path !== undefined && path !== options.path) return reject(404, 'not found');
    if (allow && !allow.has(remoteAddress)) return reject(403, 'sender address not allowed');
    if (req.method !== 'POST') return reject(405, 'only POST is accepted', { allow: 'POST' });
    try {
      let body: unknown = req.body;
      if (body === undefined) {
        if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
          return reject(415, 'content-type must be application/json');
        }
        const raw = await readBody(req, limit);
        try {
          body = JSON.parse(raw);
        } catch {
          return reject(400, 'body is not valid JSON');
        }
      }
      const { result, userId } = await accept(body);
      finish({ status: 200, result, userId, remoteAddress });
    } catch (error) {
      if (error instanceof DeliveryRejected) return reject(error.status, error.reason);
      if (error instanceof StorageError)
        return reject(503, `the token store is unavailable (${error.backend})`);
      return reject(500, 'internal error');
    }
  };
}
