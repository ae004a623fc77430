import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrokerError, StorageError } from '@hft/errors';
import { type Clock, systemClock } from '@hft/time/core';
import type { AxiosInstance } from 'axios';
import { mergeCredentials } from '../credential-writes.js';
import { type LoggerLike, silentLogger } from '../logger-like.js';
import { accountKey, RECORD_VERSION, type TokenRecord } from '../token-record.js';
import type { TokenStore } from '../token-store.js';
import { fetchProfile } from '../upstox/api.js';
import { createUpstoxHttp } from '../upstox/http.js';
import type { UpstoxProfile } from '../upstox/validate.js';
import { isStale, writeIfNewer } from '../write-if-newer.js';
import { type CheckLimits, createCheckLimiter } from './check-limiter.js';
import { DeliveryRejected, type ValidDelivery, validateDelivery } from './delivery.js';
import { HeldDeliveries, type HeldDelivery, type RetryOptions } from './held-deliveries.js';
import { readBody, requestPath } from './request.js';

/** What happened to one delivery (for logs and `hft webhook serve`); never contains the token. */
export interface DeliveryOutcome {
  /** HTTP status answered (for a `retry` step: the 202 the held delivery was answered). */
  status: number;
  /**
   * `stored`: the token was written; `duplicate`: already stored; `stale`: a token issued at
   * the same time or later is stored, so this one was not written; `held`: it could not be
   * checked now and is kept to be checked again (not trusted, not stored); `expired`: a held one
   * expired before it could be confirmed; `rejected`: refused.
   */
  result: 'stored' | 'duplicate' | 'stale' | 'held' | 'rejected' | 'expired';
  /** Why it was refused, held or dropped. */
  reason?: string;
  /** Something accepted but worth knowing (an `expires_at` off the 03:30 IST rule). */
  warning?: string;
  /** `answer`: the reply to the request; `retry`: a later check of a held delivery. */
  phase: 'answer' | 'retry';
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
  /** Clock for the time checks, the check rate and the retries. Default: the system clock. */
  clock?: Clock;
  /** How far in the future `issued_at` may be, in ms. Default 120 000. */
  maxFutureSkewMs?: number;
  /** Largest accepted body in bytes. Default 16 KiB. */
  maxBodyBytes?: number;
  /**
   * Bound of the outbound confirmation calls (default 2 at once, 5 per second). A delivery over
   * the bound is held (202) without a call and checked when the bound allows.
   */
  checks?: CheckLimits;
  /** How deliveries that could not be checked are held and retried. */
  retry?: RetryOptions;
  /** Name recorded on stored tokens (`--account NAME`). */
  accountName?: string;
  /** Logger; one line per delivery step, never with the token. Default: silent. */
  logger?: LoggerLike;
  /** Called after each delivery step with its outcome (the answer, then each retry of a held one). */
  onDelivery?: (outcome: DeliveryOutcome) => void;
}

/**
 * A Node request handler, `(req, res) => Promise<void>`, that never rejects. Extra arguments
 * (Express's `next`) are ignored. It also owns the held deliveries.
 */
export interface NotifierHandler {
  (req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void>;
  /** Checks every held delivery that is due by the clock; resolves with their outcomes. */
  retryDue(): Promise<DeliveryOutcome[]>;
  /** How many deliveries are held. */
  heldCount(): number;
  /** Stops the retry timer (held deliveries stay held until the next `retryDue`). */
  close(): void;
}

/** The one reason every delivery whose token Upstox did not confirm gets (see the README). */
export const UNCONFIRMED_REASON = 'the delivered token could not be confirmed with Upstox';

/** What one check of a delivery decided. */
type Decision =
  | { result: 'stored' | 'duplicate' | 'stale' }
  | { result: 'rejected'; status: number; reason: string }
  /** It could not be checked now (`attempted`: a check was made and failed). */
  | { result: 'unchecked'; reason: string; attempted: boolean };

function normaliseAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

// 4xx answers that are not a verdict on the token: Upstox's rate limit and a timeout.
const NOT_A_VERDICT = new Set([408, 429]);

/** A store outage while handling a delivery: the delivery is held for a retry, not lost. */
function storeUnavailable(error: unknown): { result: 'unchecked'; reason: string; attempted: true } {
  if (!(error instanceof StorageError)) throw error;
  return {
    result: 'unchecked',
    reason: `the token store is unavailable (${error.backend})`,
    attempted: true,
  };
}

/**
 * The receiver for Upstox's notifier webhook (the v3 Access Token Request delivers the approved
 * token here). Usable in `node:http`, Express (`app.post(path, handler)`; a body already parsed
 * by `express.json()` is used as is) and Fastify (`reply.hijack(); handler(Object.assign(req.raw,
 * { body: req.body }), reply.raw)`). Any request, however malformed, gets an answer; the
 * returned promise never rejects.
 *
 * It accepts only POST with a JSON body under `maxBodyBytes`; checks `message_type`,
 * `client_id`, `token_type` and the times (see `validateDelivery`); confirms the token with
 * Upstox (bounded by `checks`) and that the profile's user is the delivery's `user_id`; then
 * stores it with `writeIfNewer`, so an older token never replaces a newer one. Answers: 200
 * `stored` / `duplicate` / `stale`; 202 `held` when it could not be checked now (Upstox
 * unreachable, the check bound reached, the store down), retried with backoff until confirmed,
 * refused or expired; 422 with one reason for every token Upstox did not confirm; 429 when
 * too many are held; other 4xx for malformed input. Concurrent deliveries of one token share
 * one check and one write.
 */
export function createNotifierHandler(options: NotifierHandlerOptions): NotifierHandler {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const limit = options.maxBodyBytes ?? 16 * 1024;
  const allow = options.allowFrom ? new Set(options.allowFrom.map(normaliseAddress)) : undefined;
  const http =
    options.http ?? createUpstoxHttp(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl });
  const verify = options.verify ?? ((token: string) => fetchProfile(http, token));
  const limiter = createCheckLimiter(options.checks ?? {}, clock);
  const held = new HeldDeliveries(options.retry);
  const auto = options.retry?.auto ?? true;
  const inFlight = new Map<string, Promise<Decision>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retrying: Promise<DeliveryOutcome[]> | undefined;
  let closed = false;

  const report = (outcome: DeliveryOutcome) => {
    const meta = {
      status: outcome.status,
      result: outcome.result,
      phase: outcome.phase,
      reason: outcome.reason,
      warning: outcome.warning,
      userId: outcome.userId,
      remoteAddress: outcome.remoteAddress,
    };
    if (outcome.result === 'rejected' || outcome.result === 'expired')
      logger.warn('notifier delivery refused', meta);
    else if (outcome.result === 'stale') logger.warn('notifier delivery older than the stored token', meta);
    else if (outcome.result === 'held') logger.warn('notifier delivery held', meta);
    else if (outcome.warning) logger.warn('notifier delivery accepted', meta);
    else logger.info('notifier delivery accepted', meta);
    try {
      options.onDelivery?.(outcome);
    } catch (error) {
      logger.error('onDelivery threw', { error: error instanceof Error ? error.message : String(error) });
    }
  };

  const recordFor = (delivery: ValidDelivery, profile: UpstoxProfile): TokenRecord => {
    const record: TokenRecord = {
      version: RECORD_VERSION,
      accountKey: accountKey(delivery.clientId, delivery.userId),
      clientId: delivery.clientId,
      userId: delivery.userId,
      exchanges: profile.exchanges,
      products: profile.products,
      orderTypes: profile.orderTypes,
      tokens: {
        daily: {
          token: delivery.accessToken,
          issuedAt: delivery.issuedAt,
          expiresAt: delivery.expiresAt,
          source: 'request',
        },
      },
    };
    if (options.accountName !== undefined) record.accountName = options.accountName;
    if (profile.userName !== undefined) record.userName = profile.userName;
    if (profile.email !== undefined) record.email = profile.email;
    if (profile.broker !== undefined) record.broker = profile.broker;
    if (profile.userType !== undefined) record.userType = profile.userType;
    if (profile.poa !== undefined) record.poa = profile.poa;
    if (profile.isActive !== undefined) record.isActive = profile.isActive;
    return record;
  };

  // The stored record's account name and other kinds are not part of a delivery: keep them.
  const merge = (incoming: TokenRecord, existing: TokenRecord | undefined): TokenRecord =>
    mergeCredentials(incoming, existing, undefined);

  const check = async (delivery: ValidDelivery): Promise<Decision> => {
    const key = accountKey(delivery.clientId, delivery.userId);
    let existing: TokenRecord | undefined;
    try {
      existing = await options.store.get(key);
    } catch (error) {
      return storeUnavailable(error);
    }
    // Replays and late deliveries are settled without an outbound call; writeIfNewer below
    // decides again under the lock.
    if (existing?.tokens.daily?.token === delivery.accessToken) return { result: 'duplicate' };
    if (isStale(existing, { token: delivery.accessToken, issuedAt: delivery.issuedAt }))
      return { result: 'stale' };
    const call = limiter.tryRun(() => verify(delivery.accessToken));
    if (call === undefined)
      return { result: 'unchecked', reason: 'too many deliveries to check now', attempted: false };
    let profile: UpstoxProfile;
    try {
      profile = await call;
    } catch (error) {
      if (
        error instanceof BrokerError &&
        error.status >= 400 &&
        error.status < 500 &&
        !NOT_A_VERDICT.has(error.status)
      ) {
        return { result: 'rejected', status: 422, reason: UNCONFIRMED_REASON };
      }
      return { result: 'unchecked', reason: 'could not reach Upstox to confirm the token', attempted: true };
    }
    if (profile.userId !== delivery.userId)
      return { result: 'rejected', status: 422, reason: UNCONFIRMED_REASON };
    try {
      const written = await writeIfNewer(options.store, recordFor(delivery, profile), { merge });
      return {
        result: written.outcome === 'written' ? 'stored' : written.outcome === 'same' ? 'duplicate' : 'stale',
      };
    } catch (error) {
      return storeUnavailable(error);
    }
  };

  const checkOnce = (id: string, delivery: ValidDelivery): Promise<Decision> => {
    let flight = inFlight.get(id);
    if (!flight) {
      flight = check(delivery).finally(() => inFlight.delete(id));
      inFlight.set(id, flight);
    }
    return flight;
  };

  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const next = held.nextDueAt();
    if (!auto || closed || next === undefined) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void retryDue();
      },
      Math.max(10, next - clock.now()),
    );
    timer.unref?.();
  };

  const retryOne = async (entry: HeldDelivery): Promise<DeliveryOutcome> => {
    const { delivery, remoteAddress } = entry;
    const base = { status: 202, phase: 'retry' as const, userId: delivery.userId, remoteAddress };
    if (clock.now() >= delivery.expiresAt) {
      held.remove(entry.id);
      return { ...base, result: 'expired', reason: 'the held token expired before Upstox confirmed it' };
    }
    let decision: Decision;
    try {
      decision = await checkOnce(entry.id, delivery);
    } catch {
      decision = { result: 'unchecked', reason: 'internal error', attempted: true };
    }
    if (decision.result === 'unchecked') {
      held.postpone(entry, clock.now(), decision.attempted);
      return { ...base, result: 'held', reason: decision.reason };
    }
    held.remove(entry.id);
    if (decision.result === 'rejected') return { ...base, result: 'rejected', reason: decision.reason };
    return { ...base, result: decision.result };
  };

  const runDue = async (): Promise<DeliveryOutcome[]> => {
    const outcomes: DeliveryOutcome[] = [];
    for (const entry of held.due(clock.now())) {
      const outcome = await retryOne(entry);
      report(outcome);
      outcomes.push(outcome);
    }
    return outcomes;
  };

  // One run at a time (the timer and a caller may both ask).
  const retryDue = (): Promise<DeliveryOutcome[]> => {
    if (retrying) return retrying;
    const run = runDue().finally(() => {
      retrying = undefined;
      schedule();
    });
    retrying = run;
    return run;
  };

  const answer = async (
    req: IncomingMessage & { body?: unknown },
    res: ServerResponse,
    remoteAddress: string,
  ): Promise<void> => {
    const finish = (
      outcome: Omit<DeliveryOutcome, 'phase' | 'remoteAddress'>,
      headers: Record<string, string> = {},
    ) => {
      const full: DeliveryOutcome = { ...outcome, phase: 'answer', remoteAddress };
      const body =
        full.result === 'rejected'
          ? { status: 'error', reason: full.reason }
          : { status: 'success', result: full.result, ...(full.warning ? { warning: full.warning } : {}) };
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(full.status, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          ...headers,
        });
        res.end(JSON.stringify(body));
      }
      report(full);
    };
    const reject = (status: number, reason: string, headers?: Record<string, string>) =>
      finish({ status, result: 'rejected', reason }, headers);

    const path = requestPath(req.url);
    if (path === undefined) return reject(400, 'malformed request target');
    if (options.path !== undefined && path !== options.path) return reject(404, 'not found');
    if (allow && !allow.has(remoteAddress)) return reject(403, 'sender address not allowed');
    if (req.method !== 'POST') return reject(405, 'only POST is accepted', { allow: 'POST' });
    let body: unknown = req.body;
    if (body === undefined) {
      if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
        return reject(415, 'content-type must be application/json');
      }
      try {
        const raw = await readBody(req, limit);
        body = JSON.parse(raw);
      } catch (error) {
        if (error instanceof DeliveryRejected) return reject(error.status, error.reason);
        return reject(400, 'body is not valid JSON');
      }
    }
    let delivery: ValidDelivery;
    try {
      delivery = validateDelivery(body, {
        clientId: options.clientId,
        clock,
        ...(options.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: options.maxFutureSkewMs }),
      });
    } catch (error) {
      if (error instanceof DeliveryRejected) return reject(error.status, error.reason);
      throw error;
    }
    const extra = {
      userId: delivery.userId,
      ...(delivery.warning === undefined ? {} : { warning: delivery.warning }),
    };
    const id = createHash('sha256').update(delivery.accessToken).digest('base64url');
    if (held.has(id)) return finish({ status: 202, result: 'held', reason: 'already held', ...extra });
    const decision = await checkOnce(id, delivery);
    if (decision.result === 'rejected') return finish({ ...extra, ...decision });
    if (decision.result !== 'unchecked') return finish({ status: 200, result: decision.result, ...extra });
    if (!held.add({ id, delivery, remoteAddress }, clock.now(), decision.attempted)) {
      return finish(
        { status: 429, result: 'rejected', reason: 'too many deliveries waiting; try again later', ...extra },
        { 'retry-after': '60' },
      );
    }
    schedule();
    finish({ status: 202, result: 'held', reason: decision.reason, ...extra });
  };

  const handler = async (req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> => {
    const remoteAddress = normaliseAddress(req.socket?.remoteAddress);
    try {
      await answer(req, res, remoteAddress);
    } catch (error) {
      logger.error('notifier handler failed', {
        remoteAddress,
        error: error instanceof Error ? error.name : typeof error,
      });
      try {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          res.end(JSON.stringify({ status: 'error', reason: 'internal error' }));
        }
      } catch {
        res.destroy();
      }
    }
  };

  return Object.assign(handler, {
    retryDue,
    heldCount: () => held.size,
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  });
}
