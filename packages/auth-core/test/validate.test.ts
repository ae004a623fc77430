import { createManualClock } from '@hft/time/testing';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  jwtExpiry,
  processLogoutResponse,
  processProfileResponse,
  processTokenRequestResponse,
  processTokenResponse,
} from '../src/index.js';
import { expectSuccess, parseErrorEnvelope, parseRetryAfter } from '../src/wire.js';

const body = () => ({
  email: 'ada@example.com',
  exchanges: ['NSE', 'NFO'],
  products: ['D', 'I'],
  broker: 'UPSTOX',
  user_id: 'AB1234',
  user_name: 'Ada',
  order_types: ['MARKET', 'LIMIT'],
  user_type: 'individual',
  poa: false,
  is_active: true,
  access_token: 'opaque-access',
  extended_token: 'opaque-extended',
});

// 2026-11-26 10:00 IST
const clock = () => createManualClock('2026-11-26T10:00:00+05:30');

describe('processTokenResponse', () => {
  it('maps every field and computes issuedAt / expiresAt by the 03:30 IST rule', () => {
    const c = clock();
    const record = processTokenResponse(body(), { clientId: 'cid', clock: c });
    expect(record).toEqual({
      version: 2,
      accountKey: 'upstox:cid:AB1234',
      clientId: 'cid',
      userId: 'AB1234',
      userName: 'Ada',
      email: 'ada@example.com',
      broker: 'UPSTOX',
      userType: 'individual',
      exchanges: ['NSE', 'NFO'],
      products: ['D', 'I'],
      orderTypes: ['MARKET', 'LIMIT'],
      poa: false,
      isActive: true,
      tokens: {
        daily: {
          token: 'opaque-access',
          issuedAt: c.now(),
          expiresAt: Date.parse('2026-11-27T03:30:00+05:30'),
          source: 'oauth',
        },
        // Opaque (not a JWT): a year from the exchange.
        extended: {
          token: 'opaque-extended',
          issuedAt: c.now(),
          expiresAt: c.now() + 365 * 86_400_000,
          source: 'oauth',
        },
      },
    });
  });

  it('keeps unknown fields in extra and tolerates absent optional ones', () => {
    const b: Record<string, unknown> = { ...body(), ddpi: true, new_thing: { a: [1] } };
    delete b.extended_token;
    delete b.email;
    const record = processTokenResponse(b, { clientId: 'cid', clock: clock() });
    expect(record.extra).toEqual({ ddpi: true, new_thing: { a: [1] } });
    expect(record.tokens).not.toHaveProperty('extended');
    expect(record).not.toHaveProperty('email');
  });

  it('uses the JWT exp when it is earlier than the rule, and ignores a later one', async () => {
    const c = clock();
    const key = new TextEncoder().encode('k'.repeat(32));
    const earlier = Date.parse('2026-11-26T23:00:00+05:30');
    const early = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(earlier / 1000)
      .sign(key);
    expect(
      processTokenResponse({ ...body(), access_token: early }, { clientId: 'c', clock: c }).tokens.daily!
        .expiresAt,
    ).toBe(earlier);
    const later = Date.parse('2026-11-28T03:30:00+05:30');
    const late = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(later / 1000)
      .sign(key);
    expect(
      processTokenResponse({ ...body(), access_token: late }, { clientId: 'c', clock: c }).tokens.daily!
        .expiresAt,
    ).toBe(Date.parse('2026-11-27T03:30:00+05:30'));
  });

  it.each([
    ['access_token', undefined, '"access_token" is missing'],
    ['access_token', '', '"access_token" must be a non-empty string'],
    ['user_id', 42, '"user_id" must be a non-empty string'],
    ['exchanges', 'NSE', '"exchanges" must be an array of strings'],
    ['poa', 'no', '"poa" must be a boolean'],
  ])('names the field at fault: %s', (field, value, message) => {
    const b: Record<string, unknown> = body();
    if (value === undefined) delete b[field];
    else b[field] = value;
    let caught: unknown;
    try {
      processTokenResponse(b, { clientId: 'c', clock: clock() });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ name: 'BrokerError', code: 'HFT_BROKER_INVALID_RESPONSE' });
    expect((caught as Error).message).toContain(message);
    expect((caught as Error).message).not.toContain('opaque-access');
  });

  it('rejects a body that is not an object', () => {
    expect(() => processTokenResponse('<html>', { clientId: 'c' })).toThrow(/not a JSON object/);
    expect(() => processTokenResponse(null, { clientId: 'c' })).toThrow(/not a JSON object/);
  });
});

describe('other validators', () => {
  it('reads the profile envelope', () => {
    const p = processProfileResponse({ status: 'success', data: { ...body(), ddpi: true, extra_x: 1 } });
    expect(p.userId).toBe('AB1234');
    expect(p.ddpi).toBe(true);
    expect(p.orderTypes).toEqual(['MARKET', 'LIMIT']);
    expect(p.extra).toMatchObject({ extra_x: 1 });
    expect(() => processProfileResponse({ status: 'success' })).toThrow(/"data" is missing/);
    expect(() => processProfileResponse({ status: 'success', data: { user_id: '' } })).toThrow(
      /"data.user_id"/,
    );
  });

  it('reads logout and token-request bodies', () => {
    expect(processLogoutResponse({ status: 'success', data: true })).toBe(true);
    expect(() => processLogoutResponse({ status: 'success' })).toThrow(/"data" is missing/);
    expect(
      processTokenRequestResponse(
        {
          status: 'success',
          data: { authorization_expiry: '1732226400000', notifier_url: 'https://x/hook' },
        },
        'cid',
      ),
    ).toEqual({ authorizationExpiry: 1732226400000, notifierUrl: 'https://x/hook' });
    expect(() =>
      processTokenRequestResponse(
        { status: 'success', data: { authorization_expiry: 'soon', notifier_url: 'u' } },
        'c',
      ),
    ).toThrow(/"data.authorization_expiry" must be epoch milliseconds/);
  });
});

describe('error envelope', () => {
  it('reads snake_case first and falls back to camelCase', () => {
    expect(
      parseErrorEnvelope({
        status: 'error',
        errors: [
          { error_code: 'UDAPI100050', errorCode: 'IGNORED', message: 'Invalid token', property_path: null },
          { errorCode: 'UDAPI1022', message: 'Code is required', propertyPath: 'code' },
          'garbage',
        ],
      }),
    ).toEqual([
      { code: 'UDAPI100050', message: 'Invalid token', propertyPath: null },
      { code: 'UDAPI1022', message: 'Code is required', propertyPath: 'code' },
    ]);
    expect(parseErrorEnvelope('x')).toEqual([]);
  });

  it('turns error statuses into BrokerError with status, code and Retry-After', () => {
    const run = (status: number, b: unknown, headers: Record<string, string> = {}) => {
      try {
        expectSuccess({ endpoint: 'GET /v2/user/profile', status, headers, body: b });
      } catch (e) {
        return e as Record<string, unknown> & Error;
      }
      throw new Error('expected a throw');
    };
    const e401 = run(401, {
      status: 'error',
      errors: [{ error_code: 'UDAPI100050', message: 'Invalid token used to access API' }],
    });
    expect(e401).toMatchObject({
      name: 'BrokerError',
      code: 'HFT_BROKER_ERROR',
      status: 401,
      brokerCode: 'UDAPI100050',
    });
    expect(e401.message).toBe(
      'Upstox rejected GET /v2/user/profile (HTTP 401, UDAPI100050: Invalid token used to access API)',
    );
    const e429 = run(
      429,
      { status: 'error', errors: [{ error_code: 'UDAPI10005', message: 'Too Many Request Sent' }] },
      { 'retry-after': '3' },
    );
    expect(e429).toMatchObject({ code: 'HFT_BROKER_RATE_LIMITED', status: 429 });
    expect((e429 as unknown as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds).toBe(3);
    expect(run(500, {}).message).toContain('no error details');
    expect(run(200, { status: 'error', errors: [{ error_code: 'X1', message: 'm' }] })).toMatchObject({
      brokerCode: 'X1',
    });
    expect(expectSuccess({ endpoint: 'x', status: 200, headers: {}, body: { ok: 1 } })).toEqual({ ok: 1 });
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:05 GMT', Date.parse('2026-11-26T10:00:00Z'))).toBe(5);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('jwtExpiry', () => {
  it('decodes exp in ms, and gives undefined for opaque tokens', async () => {
    const jwt = await new SignJWT({ sub: 'AB1234' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(1_800_000_000)
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(jwtExpiry(jwt)).toBe(1_800_000_000_000);
    expect(jwtExpiry('opaque')).toBeUndefined();
    expect(jwtExpiry('a.b.c')).toBeUndefined();
  });
});
