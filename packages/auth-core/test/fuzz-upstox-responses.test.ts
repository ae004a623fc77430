import { ErrorCodes } from '@hft/errors';
import { createManualClock } from '@hft/time/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertTokenRecord,
  jwtExpiry,
  processLogoutResponse,
  processProfileResponse,
  processTokenRequestResponse,
  processTokenResponse,
} from '../src/index.js';
import { brokerError, expectSuccess, parseErrorEnvelope, parseRetryAfter } from '../src/wire.js';
import { anyValue, budget, jwtWith, looseRecord, mostly, outcome, secretArb, tokenArb } from './fuzz-kit.js';
import { ruleExpiry } from './fuzz-rule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Issue instants from 2000 to 2100, with the minutes around 03:30 IST drawn often. */
const instantArb = fc.oneof(
  fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') }),
  fc
    .tuple(fc.integer({ min: 10_950, max: 47_480 }), fc.integer({ min: -2 * 60_000, max: 2 * 60_000 }))
    .map(([day, delta]) => day * DAY + 22 * HOUR + delta),
);

const stringsArb = fc.array(fc.constantFrom('NSE', 'BSE', 'NFO', 'MCX', 'D', 'I', 'CO', 'MARKET', 'LIMIT'), {
  maxLength: 5,
});
const optionalText = mostly(fc.string({ maxLength: 20 }), fc.constant(null), fc.integer());

/** A token response body: mostly the documented shape, with near misses in every field. */
function tokenBody(access: fc.Arbitrary<unknown>, extended: fc.Arbitrary<unknown>) {
  return looseRecord({
    access_token: access,
    extended_token: extended,
    user_id: mostly(fc.stringMatching(/^[A-Z0-9]{1,8}$/), fc.constant(''), fc.constant(null), fc.integer()),
    user_name: optionalText,
    email: optionalText,
    broker: mostly(fc.constant('UPSTOX'), fc.integer()),
    user_type: optionalText,
    exchanges: mostly(stringsArb, fc.array(fc.integer(), { minLength: 1 }), fc.constant('NSE')),
    products: mostly(stringsArb, fc.constant([null])),
    order_types: mostly(stringsArb, fc.constant({})),
    poa: mostly(fc.boolean(), fc.constant('false')),
    is_active: mostly(fc.boolean(), fc.constant(1)),
  });
}

describe('processTokenResponse fuzz', () => {
  it('any body gives a complete record or a coded BrokerError, never a secret in the message', () => {
    let accepted = 0;
    const body = fc.oneof(
      {
        weight: 20,
        arbitrary: tokenBody(mostly(tokenArb, fc.constant('')), mostly(tokenArb, fc.constant(null))),
      },
      { weight: 1, arbitrary: anyValue },
    );
    fc.assert(
      fc.property(body, instantArb, (body, issuedAt) => {
        const result = outcome(
          () => processTokenResponse(body, { clientId: 'cid', clock: createManualClock(issuedAt) }),
          secretsOf(body),
        );
        if (!result.ok) {
          expect(result.error.code).toBe(ErrorCodes.BROKER_INVALID_RESPONSE);
          return;
        }
        accepted += 1;
        const record = result.value;
        assertTokenRecord(record);
        expect(record.accountKey).toBe(`upstox:cid:${record.userId}`);
        expect(record.tokens.daily!.issuedAt).toBe(issuedAt);
        const claimed = jwtExpiry(record.tokens.daily!.token);
        const rule = ruleExpiry(issuedAt);
        expect(record.tokens.daily!.expiresAt).toBe(claimed !== undefined && claimed < rule ? claimed : rule);
      }),
      budget(250),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('a valid response always processes: the expiry is the 03:30 IST rule or the JWT exp, whichever is earlier', () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.option(fc.integer({ min: -3 * DAY, max: 3 * DAY }), { nil: undefined }),
        secretArb,
        fc.stringMatching(/^[A-Z0-9]{1,8}$/),
        fc.dictionary(fc.stringMatching(/^x_[a-z]{1,6}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
        (issuedAt, expOffset, secret, userId, unknown) => {
          // exp in whole seconds, anywhere from three days before to three days after the issue.
          const exp = expOffset === undefined ? undefined : Math.floor((issuedAt + expOffset) / 1000);
          const accessToken = exp === undefined ? secret : jwtWith({ exp }, secret);
          const record = processTokenResponse(
            { ...unknown, access_token: accessToken, user_id: userId, exchanges: ['NSE'] },
            { clientId: 'cid', clock: createManualClock(issuedAt), source: 'request' },
          );
          const rule = ruleExpiry(issuedAt);
          expect(record.tokens.daily!.expiresAt).toBe(
            exp !== undefined && exp * 1000 < rule ? exp * 1000 : rule,
          );
          expect(rule - issuedAt).toBeGreaterThan(0);
          expect(rule - issuedAt).toBeLessThanOrEqual(DAY);
          expect(record).toMatchObject({
            userId,
            tokens: { daily: { token: accessToken, source: 'request', issuedAt } },
          });
          expect(record.extra ?? {}).toEqual(unknown);
        },
      ),
      budget(300),
    );
  });
});

describe('the other Upstox response parsers fuzz', () => {
  it('processProfileResponse gives a profile or a coded BrokerError naming a field, never a value', () => {
    const data = looseRecord({
      user_id: mostly(secretArb, fc.constant(''), fc.integer()),
      user_name: mostly(secretArb, fc.integer()),
      email: optionalText,
      broker: optionalText,
      user_type: optionalText,
      exchanges: mostly(stringsArb, fc.constant([secretArb])),
      products: mostly(stringsArb, fc.constant(secretArb)),
      order_types: mostly(stringsArb, fc.constant([1])),
      poa: mostly(fc.boolean(), secretArb),
      ddpi: mostly(fc.boolean(), fc.constant(0)),
      is_active: mostly(fc.boolean(), fc.constant('true')),
    });
    const body = mostly(
      looseRecord({ status: fc.constantFrom('success', 'error'), data }),
      fc.constant({ data: null }),
    );
    fc.assert(
      fc.property(body, (candidate) => {
        const secrets = collectStrings(candidate);
        const result = outcome(() => processProfileResponse(candidate), secrets);
        if (!result.ok) {
          expect(result.error.code).toBe(ErrorCodes.BROKER_INVALID_RESPONSE);
          expect(result.error.message).toMatch(/"(body|data[.\w]*)"/);
          return;
        }
        expect(typeof result.value.userId).toBe('string');
        expect(result.value.userId.length).toBeGreaterThan(0);
        for (const list of [result.value.exchanges, result.value.products, result.value.orderTypes]) {
          expect(list.every((item) => typeof item === 'string')).toBe(true);
        }
      }),
      budget(250),
    );
  });

  it('processTokenRequestResponse and processLogoutResponse give their value or a coded BrokerError', () => {
    const expiry = mostly(
      fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String),
      fc.integer({ min: 0 }),
      fc.constantFrom('', '-1', '1e3', '99999999999999999', ' 1'),
    );
    const requestBody = mostly(
      looseRecord({
        status: fc.constant('success'),
        data: mostly(
          looseRecord({ authorization_expiry: expiry, notifier_url: mostly(fc.webUrl(), fc.constant('')) }),
        ),
      }),
    );
    const logoutBody = mostly(
      looseRecord({ status: fc.constant('success'), data: mostly(fc.boolean(), fc.constant('true')) }),
    );
    fc.assert(
      fc.property(requestBody, logoutBody, (request, logout) => {
        const req = outcome(() => processTokenRequestResponse(request, 'cid'));
        if (req.ok) {
          expect(Number.isSafeInteger(req.value.authorizationExpiry)).toBe(true);
          expect(req.value.authorizationExpiry).toBeGreaterThanOrEqual(0);
          const sent = (request as { data: { authorization_expiry: unknown } }).data.authorization_expiry;
          expect(String(req.value.authorizationExpiry)).toBe(String(sent));
        } else expect(req.error.code).toBe(ErrorCodes.BROKER_INVALID_RESPONSE);
        const out = outcome(() => processLogoutResponse(logout));
        if (out.ok) expect(out.value).toBe((logout as { data: unknown }).data);
        else expect(out.error.code).toBe(ErrorCodes.BROKER_INVALID_RESPONSE);
      }),
      budget(250),
    );
  });

  it('error envelopes and Retry-After: any body and header give a coded BrokerError, never a throw', () => {
    const item = looseRecord({
      error_code: mostly(
        fc.constantFrom('UDAPI100050', 'UDAPI10005', 'UDAPI1154'),
        fc.integer(),
        fc.constant(''),
      ),
      errorCode: mostly(fc.constantFrom('UDAPI100016')),
      message: mostly(fc.string({ maxLength: 400 }), fc.constant(null)),
      property_path: mostly(fc.string({ maxLength: 10 })),
      propertyPath: fc.anything(),
    });
    const envelope = mostly(
      looseRecord({
        status: fc.constantFrom('error', 'success'),
        errors: mostly(fc.array(mostly(item), { maxLength: 3 })),
      }),
    );
    const retryAfter = fc.option(
      fc.oneof(
        fc.nat().map(String),
        fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        fc.string({ maxLength: 40 }),
        fc.stringMatching(/^\d{1,400}$/),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        envelope,
        fc.integer({ min: 100, max: 599 }),
        retryAfter,
        fc.option(fc.integer(), { nil: undefined }),
        (body, status, after, now) => {
          const items = parseErrorEnvelope(body);
          for (const entry of items) {
            expect(typeof entry.code).toBe('string');
            expect(entry.code.length).toBeGreaterThan(0);
            expect(typeof entry.message).toBe('string');
            expect(entry.propertyPath === null || typeof entry.propertyPath === 'string').toBe(true);
          }
          const seconds = parseRetryAfter(after, now);
          if (seconds !== undefined) expect(seconds).toBeGreaterThanOrEqual(0);
          if (after !== undefined && /^\s*\d{1,15}\s*$/.test(after))
            expect(seconds).toBe(Number(after.trim()));

          const headers: Record<string, string> = after === undefined ? {} : { 'retry-after': after };
          const response = {
            endpoint: 'GET /v2/x',
            status,
            headers,
            body,
          };
          const result = outcome(() => expectSuccess(response));
          if (result.ok) {
            expect(status >= 200 && status < 300).toBe(true);
            return;
          }
          expect([
            ErrorCodes.BROKER_ERROR,
            ErrorCodes.BROKER_RATE_LIMITED,
            ErrorCodes.BROKER_STATIC_IP,
          ]).toContain(result.error.code);
          // UDAPI1154 gets the addresses and the fix spelled out (never Upstox's other text).
          const staticIp = result.error.code === ErrorCodes.BROKER_STATIC_IP;
          expect(staticIp).toBe(parseErrorEnvelope(body)[0]?.code === 'UDAPI1154');
          expect(result.error.message.length).toBeLessThan(staticIp ? 600 : 400);
          const built = brokerError(response);
          expect(built.code).toBe(result.error.code);
        },
      ),
      budget(250),
    );
  });

  it('jwtExpiry never throws and reads exp back from any JWT-shaped token', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), tokenArb, fc.stringMatching(/^[\w-]{0,20}\.[\w-]{0,30}\.[\w-]{0,10}$/)),
        (token) => {
          const exp = jwtExpiry(token);
          if (exp !== undefined) expect(Number.isFinite(exp)).toBe(true);
        },
      ),
      budget(300),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), secretArb, (exp, secret) => {
        expect(jwtExpiry(jwtWith({ exp }, secret))).toBe(exp * 1000);
      }),
      budget(200),
    );
  });
});

/** The token fields of a body (secrets: never to be echoed). */
function secretsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const { access_token, extended_token } = body as Record<string, unknown>;
  return [access_token, extended_token].filter((v): v is string => typeof v === 'string');
}

/** Every non-empty string inside `value` (treated as secret-looking: none may be echoed). */
function collectStrings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string' && value.startsWith('QzFuzz')) out.push(value);
  else if (depth < 4 && typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) collectStrings(inner, out, depth + 1);
  }
  return out;
}
