import { createManualClock } from '@hft/time/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryRejected, jwtExpiry, type ValidDelivery, validateDelivery } from '../src/index.js';
import { anyValue, budget, expectNoSecret, looseRecord, mostly, tokenArb } from './fuzz-kit.js';
import { ruleExpiry } from './fuzz-rule.js';

const NOW = Date.parse('2026-11-26T17:30:00+05:30');
const SKEW = 120_000;

/** How an epoch-ms field is sent: as Upstox does (digits), as a number, or a near miss. */
const encoding: fc.Arbitrary<(ms: number) => unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.constant((ms: number) => String(ms)) },
  { weight: 8, arbitrary: fc.constant((ms: number) => ms) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.integer(),
        fc.constantFrom(-1, 1.5, 8.64e15, -8.64e15, 9_007_199_254_740_991, -9_007_199_254_740_991),
        fc.constantFrom('', '-1', '1e12', ' 1', '99999999999999999'),
        anyValue,
      )
      .map((miss) => () => miss),
  },
);

/** Issue instants mostly since today's 03:30 IST, sometimes from the day before or far off. */
const issuedArb = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: NOW - 14 * 3_600_000, max: NOW + SKEW }) },
  { weight: 2, arbitrary: fc.integer({ min: NOW - 86_400_000, max: NOW + 2 * SKEW }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 3, arbitrary: fc.constantFrom(-9_007_199_254_740_991, -8.64e15 - 1, 8.64e15 + 1, -1, 0) },
);
/** Whole seconds `expires_at` is off the rule: mostly none. */
const driftArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) },
);

/** A delivery: mostly consistent (`expires_at` from the 03:30 rule), with near misses everywhere. */
const deliveryArb = fc
  .tuple(
    looseRecord({
      message_type: mostly(fc.constant('access_token'), fc.constant('ACCESS_TOKEN')),
      client_id: mostly(fc.constant('cid'), fc.constant('other'), fc.constant('')),
      user_id: mostly(fc.stringMatching(/^[A-Z0-9]{1,8}$/), fc.constant('')),
      access_token: mostly(tokenArb, fc.constant('')),
      token_type: mostly(fc.constant('Bearer'), fc.constant('bearer')),
    }),
    issuedArb,
    driftArb,
    encoding,
    encoding,
    fc.oneof({ weight: 20, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  )
  .map(([fields, issued, drift, sendIssued, sendExpires, withTimes]) => {
    if (!withTimes) return fields;
    // Out of the Date range there is no rule to follow: send a plausible future expiry.
    const expires = (Math.abs(issued) <= 8.64e15 ? ruleExpiry(issued) : ruleExpiry(NOW)) + drift * 1000;
    return { ...fields, issued_at: sendIssued(issued), expires_at: sendExpires(expires) };
  });

describe('validateDelivery fuzz', () => {
  it('any payload gives a consistent delivery or a 4xx DeliveryRejected whose reason shows no token', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 20, arbitrary: deliveryArb }, { weight: 1, arbitrary: anyValue }),
        (body) => {
          const token = (body as { access_token?: unknown } | null)?.access_token;
          const secrets = typeof token === 'string' ? [token] : [];
          let delivery: ValidDelivery;
          try {
            delivery = validateDelivery(body, { clientId: 'cid', clock: createManualClock(NOW) });
          } catch (error) {
            if (!(error instanceof DeliveryRejected)) {
              expect.fail(`not a DeliveryRejected: ${String(error)}`);
            }
            expect(error.status).toBeGreaterThanOrEqual(400);
            expect(error.status).toBeLessThan(500);
            expectNoSecret(error.reason, secrets);
            expectNoSecret(error.message, secrets);
            return;
          }
          accepted += 1;
          const sent = body as Record<string, unknown>;
          expect(delivery.clientId).toBe('cid');
          expect(delivery.accessToken).toBe(sent.access_token);
          expect(delivery.userId).toBe(sent.user_id);
          expect(String(delivery.issuedAt)).toBe(String(sent.issued_at));
          expect(delivery.issuedAt).toBeLessThanOrEqual(NOW + SKEW);
          // The earliest of what the payload says, the 03:30 IST rule and the JWT exp.
          const claimed = jwtExpiry(delivery.accessToken) ?? Number.POSITIVE_INFINITY;
          expect(delivery.expiresAt).toBe(
            Math.min(Number(sent.expires_at), ruleExpiry(delivery.issuedAt), claimed),
          );
        },
      ),
      budget(300),
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
