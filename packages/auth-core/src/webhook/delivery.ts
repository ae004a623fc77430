import { isPlainObject } from '@hft/errors/assert';
import { type Clock, systemClock, tokenExpiry } from '@hft/time/core';
import { jwtExpiry } from '../upstox/jwt.js';

/** A notifier delivery that passed every check of {@link validateDelivery}. */
export interface ValidDelivery {
  clientId: string;
  userId: string;
  accessToken: string;
  /** Epoch ms, from the payload. */
  issuedAt: number;
  /** Epoch ms: the earliest of the payload's `expires_at`, the 03:30 IST rule and the JWT `exp`. */
  expiresAt: number;
  /** Set when `expires_at` is not the 03:30 IST expiry of `issued_at` (accepted; the earlier kept). */
  warning?: string;
}

/** Why a delivery was refused: the HTTP status to answer and a reason safe to log and return. */
export class DeliveryRejected extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DeliveryRejected';
  }
}

/** Options of {@link validateDelivery}. */
export interface ValidateDeliveryOptions {
  /** Our API key: deliveries for any other client are refused. */
  clientId: string;
  /** Clock for the time checks. Default: the system clock. */
  clock?: Clock;
  /** How far in the future `issued_at` may be (clock skew), in ms. Default 120 000. */
  maxFutureSkewMs?: number;
}

const digits = /^\d{1,16}$/;

function epochMs(value: unknown, field: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && digits.test(value)
        ? Number(value)
        : Number.NaN;
  // A number must obey what the digits-only text form implies: a negative one is no instant
  // (and far enough below zero, outside the Date range the expiry rule works in).
  if (!Number.isSafeInteger(n) || n < 0)
    throw new DeliveryRejected(400, `${field} must be epoch milliseconds`);
  return n;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new DeliveryRejected(400, `${field} is missing or not a string`);
  return value;
}

/**
 * Checks a notifier webhook payload (pure apart from the clock): `message_type` is
 * `access_token`, `client_id` is ours, `token_type` is `Bearer`, `issued_at` is not in the future
 * beyond the skew, and the token is not expired. An `expires_at` that differs from the 03:30
 * IST rule for `issued_at` (Upstox's clock, rounding) is accepted with a `warning`, and the
 * earlier of the two is the expiry: a delivery is never lost over it. Upstox does not sign
 * these deliveries, so the token must still be confirmed with Upstox (the handler does) before
 * it is trusted.
 *
 * @throws DeliveryRejected with the status to answer (400 malformed, 403 other client, 422
 *   inconsistent or expired) and a reason that never contains the token.
 */
export function validateDelivery(body: unknown, options: ValidateDeliveryOptions): ValidDelivery {
  if (!isPlainObject(body)) throw new DeliveryRejected(400, 'body must be a JSON object');
  if (body.message_type !== 'access_token')
    throw new DeliveryRejected(422, 'message_type must be "access_token"');
  const clientId = text(body.client_id, 'client_id');
  if (clientId !== options.clientId) throw new DeliveryRejected(403, 'client_id is not this app');
  if (body.token_type !== 'Bearer') throw new DeliveryRejected(422, 'token_type must be "Bearer"');
  const userId = text(body.user_id, 'user_id');
  const accessToken = text(body.access_token, 'access_token');
  const issuedAt = epochMs(body.issued_at, 'issued_at');
  const expiresAt = epochMs(body.expires_at, 'expires_at');
  const now = (options.clock ?? systemClock).now();
  if (issuedAt > now + (options.maxFutureSkewMs ?? 120_000))
    throw new DeliveryRejected(422, 'issued_at is in the future');
  const rule = tokenExpiry(issuedAt);
  const claimed = jwtExpiry(accessToken);
  const expiry = Math.min(expiresAt, rule, claimed ?? Number.POSITIVE_INFINITY);
  if (expiry <= now)
    throw new DeliveryRejected(422, 'expires_at is not in the future: the token is already expired');
  const valid: ValidDelivery = { clientId, userId, accessToken, issuedAt, expiresAt: expiry };
  if (expiresAt !== rule) {
    const drift = expiresAt - rule;
    valid.warning = `expires_at is ${Math.abs(drift)} ms ${drift < 0 ? 'before' : 'after'} the 03:30 IST expiry of issued_at; the earlier is kept`;
  }
  return valid;
}
