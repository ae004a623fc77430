import { AuthError, ErrorCodes, InputError } from '@hft/errors';
import { describe, expect, test } from 'vitest';
import { isSecretKey, MIN_SECRET_LENGTH, REDACTED, Redactor } from '../src/index.js';
import { MAX_REDACTION_DEPTH } from '../src/redactor.js';

describe('secret key names', () => {
  test.each([
    'access_token',
    'accessToken',
    'ACCESS-TOKEN',
    'extended_token',
    'extendedToken',
    'client_secret',
    'clientSecret',
    'code',
    'authorization',
    'Authorization',
    'password',
    'secret',
    'token',
    'api_key',
    'apiKey',
    'X-Api-Key',
    'refresh_token',
    'upstoxAccessToken',
    'params[access_token]',
    'cookie',
    'Set-Cookie',
    'encryptionKey',
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  test.each([
    'client_id',
    'clientId',
    'user_id',
    'userId',
    'token_type',
    'state',
    'redirect_uri',
    'expires_at',
    'accessTokenExpiresAt',
    'error_code',
    'key',
  ])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  test('values under secret keys are replaced whatever their type, except null/undefined/boolean', () => {
    const r = new Redactor();
    expect(
      r.redact({
        token: 'abc',
        pin: 123456,
        tokens: ['a', 'b'],
        authorization: { scheme: 'Bearer', value: 'x' },
        password: null,
        secret: undefined,
        hasAccessToken: true,
        clientId: 'CID',
      }),
    ).toEqual({
      token: REDACTED,
      pin: REDACTED,
      tokens: REDACTED,
      authorization: REDACTED,
      password: null,
      secret: undefined,
      hasAccessToken: true,
      clientId: 'CID',
    });
  });

  test('`code` keeps error codes but hides an auth code', () => {
    const r = new Redactor();
    for (const code of ['HFT_AUTH_EXPIRED', 'UDAPI100057', 'ECONNRESET', 'ERR_BAD_REQUEST', 400]) {
      expect(r.redact({ code })).toEqual({ code });
    }
    expect(r.redact({ code: 'Qx7Lm2' })).toEqual({ code: REDACTED });
    expect(r.redact({ code: 'hft_auth_expired' })).toEqual({ code: REDACTED });
  });
});

describe('registered secrets', () => {
  test('are replaced inside other strings', () => {
    const r = new Redactor(['abc123']);
    expect(r.redactString('token abc123 failed')).toBe('token [REDACTED] failed');
    expect(r.redactString('abc123abc123')).toBe('[REDACTED][REDACTED]');
    expect(r.redact({ note: 'x abc123 y', list: ['abc123'] })).toEqual({
      note: `x ${REDACTED} y`,
      list: [REDACTED],
    });
  });

  test('are replaced in percent-encoded, form-encoded and JSON-escaped spellings', () => {
    const secret = 'p@ss w/rd+"q"';
    const r = new Redactor([secret]);
    expect(r.redactString(`u?x=${encodeURIComponent(secret)}`)).toBe(`u?x=${REDACTED}`);
    expect(r.redactString(new URLSearchParams({ x: secret }).toString())).toBe(`x=${REDACTED}`);
    expect(r.redactString(JSON.stringify({ x: secret }))).toBe(`{"x":"${REDACTED}"}`);
  });

  test('the longest matching secret is hidden whole', () => {
    const r = new Redactor(['abcd', 'abcdefgh']);
    expect(r.redactString('xxabcdefghxx')).toBe(`xx${REDACTED}xx`);
  });

  test('regular-expression characters in a secret are literal', () => {
    const r = new Redactor(['a.b*c+d?']);
    expect(r.redactString('a.b*c+d?')).toBe(REDACTED);
    expect(r.redactString('aXbbbcd')).toBe('aXbbbcd');
  });

  test('object keys that contain a secret are redacted too', () => {
    const r = new Redactor(['tok-12345']);
    expect(r.redact({ 'tok-12345': { userId: 'AB' } })).toEqual({ [REDACTED]: { userId: 'AB' } });
  });

  test(`secrets shorter than ${MIN_SECRET_LENGTH} characters are rejected with a reason`, () => {
    const r = new Redactor();
    let thrown: unknown;
    try {
      r.addSecret('abc');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).code).toBe(ErrorCodes.INPUT_INVALID);
    expect((thrown as InputError).message).toMatch(/at least 4 characters.*would redact ordinary text/);
    expect((thrown as InputError).message).not.toContain('abc');
    expect(r.redactString('a b c abc')).toBe('a b c abc');
  });

  test('empty, null and undefined are ignored; non-strings are rejected', () => {
    const r = new Redactor();
    r.addSecret('');
    r.addSecret(null);
    r.addSecret(undefined);
    expect(r.redactString('nothing to hide')).toBe('nothing to hide');
    expect(() => r.addSecret(12345 as unknown as string)).toThrow(InputError);
    expect(r.hasSecret('abcd')).toBe(false);
    r.addSecret('abcd');
    expect(r.hasSecret('abcd')).toBe(true);
  });
});

describe('recognised shapes without registration', () => {
  const r = new Redactor();

  test('Bearer tokens', () => {
    expect(r.redactString('Authorization header was Bearer eyJ.abc-def_ghi and more')).toBe(
      `Authorization header was Bearer ${REDACTED} and more`,
    );
    expect(r.redactString('bearer xyz')).toBe(`bearer ${REDACTED}`);
  });

  test('secret query and form parameters, keeping the others', () => {
    expect(r.redactString('GET https://h/cb?code=XYZ&state=s1&client_id=CID')).toBe(
      `GET https://h/cb?code=${REDACTED}&state=s1&client_id=CID`,
    );
    expect(r.redactString('code=XYZ&client_id=CID&client_secret=S3&redirect_uri=http://x/')).toBe(
      `code=${REDACTED}&client_id=CID&client_secret=${REDACTED}&redirect_uri=http://x/`,
    );
    expect(r.redactString('https://h/?access_token=abc#frag')).toBe(
      `https://h/?access_token=${REDACTED}#frag`,
    );
  });

  test('header lines, URL passwords and JSON members', () => {
    expect(r.redactString('Cookie: sid=abc; other=1\nHost: x')).toBe(`Cookie: ${REDACTED}\nHost: x`);
    expect(r.redactString('redis://user:pa55word@localhost:6379/0')).toBe(
      `redis://user:${REDACTED}@localhost:6379/0`,
    );
    expect(r.redactString('{"access_token":"abc","user_id":"AB1","code":"UDAPI100057","pin":1234}')).toBe(
      `{"access_token":"${REDACTED}","user_id":"AB1","code":"UDAPI100057","pin":"${REDACTED}"}`,
    );
  });

  test('ordinary text is left alone', () => {
    const text = 'user AB1234 logged in at 09:15 with client c1 (state=ok)';
    expect(r.redactString(text)).toBe(text);
  });
});

describe('deep copies', () => {
  test('never modify the input', () => {
    const make = () => {
      const inner = new Error('inner tok-12345');
      const error = Object.assign(new Error('outer', { cause: inner }), { accessToken: 'tok-12345' });
      return {
        clientSecret: 'tok-12345',
        nested: { list: ['tok-12345', { password: 'pw-1234' }] },
        headers: { Authorization: 'Bearer tok-12345' },
        error,
      };
    };
    const input = make();
    const r = new Redactor(['tok-12345']);
    r.redact(input);
    expect(input).toEqual(make());
    expect(input.nested.list[0]).toBe('tok-12345');
    expect(input.headers.Authorization).toBe('Bearer tok-12345');
    expect(input.error.message).toBe('outer');
    expect(input.error.accessToken).toBe('tok-12345');
    expect((input.error.cause as Error).message).toBe('inner tok-12345');
  });

  test('survive cycles in objects, arrays and error causes', () => {
    const a: Record<string, unknown> = { name: 'a' };
    const b: Record<string, unknown> = { name: 'b', parent: a };
    a.child = b;
    a.self = a;
    a.list = [a, b];
    const error = new Error('loop');
    (error as Error & { cause: unknown }).cause = error;
    a.error = error;
    const out = new Redactor().redact(a) as Record<string, unknown>;
    expect(out.self).toBe('[Circular]');
    expect(out.child).toEqual({ name: 'b', parent: '[Circular]' });
    expect(out.list).toEqual(['[Circular]', { name: 'b', parent: '[Circular]' }]);
    expect((out.error as Record<string, unknown>).cause).toBe('[Circular]');
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  test('a shared (non-cyclic) reference is copied at each place', () => {
    const shared = { v: 1 };
    expect(new Redactor().redact({ x: shared, y: shared })).toEqual({ x: { v: 1 }, y: { v: 1 } });
  });

  test('produce JSON-safe values for special types', () => {
    const r = new Redactor(['tok-12345']);
    const out = r.redact({
      big: 12n,
      when: new Date(Date.UTC(2026, 0, 1)),
      bad: new Date(Number.NaN),
      url: new URL('https://h/p?code=XYZ&x=tok-12345'),
      bytes: Buffer.from('tok-12345'),
      map: new Map<unknown, unknown>([
        ['token', 'x'],
        [1, 'one'],
      ]),
      set: new Set(['tok-12345', 2]),
      fn: function named() {},
      sym: Symbol('tok-12345'),
      custom: { toJSON: () => ({ secret: 'zzzz', shown: 1 }) },
    });
    expect(out).toEqual({
      big: '12',
      when: '2026-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
      url: `https://h/p?code=${REDACTED}&x=${REDACTED}`,
      bytes: '[Binary 9 bytes]',
      map: { token: REDACTED, 1: 'one' },
      set: [REDACTED, 2],
      fn: '[Function named]',
      sym: `Symbol(${REDACTED})`,
      custom: { secret: REDACTED, shown: 1 },
    });
  });

  test('a throwing getter becomes [Unreadable] instead of throwing', () => {
    const tricky = {
      ok: 1,
      get boom(): never {
        throw new Error('getter failed');
      },
    };
    expect(new Redactor().redact(tricky)).toEqual({ ok: 1, boom: '[Unreadable]' });
  });

  test(`nesting deeper than ${MAX_REDACTION_DEPTH} levels is truncated`, () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < MAX_REDACTION_DEPTH + 5; i++) deep = { next: deep };
    expect(JSON.stringify(new Redactor().redact(deep))).toContain('"[Truncated]"');
  });

  test('a __proto__ key stays plain data', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as object;
    const out = new Redactor().redact(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('live resources such as sockets and streams are named, not walked', async () => {
    const { PassThrough } = await import('node:stream');
    expect(new Redactor().redact({ s: new PassThrough() })).toEqual({ s: '[PassThrough]' });
  });
});

describe('errors', () => {
  test('become name, message, code, own fields, details, stack and cause chain, all redacted', () => {
    const r = new Redactor(['tok-12345']);
    const root = new Error('socket closed for tok-12345');
    const auth = new AuthError(ErrorCodes.AUTH_EXPIRED, 'Token for AB1234 expired', {
      cause: root,
      details: { accountKey: 'upstox:CID:AB1234' },
    });
    const out = r.redact(auth) as Record<string, unknown>;
    expect(out.name).toBe('AuthError');
    expect(out.message).toBe('Token for AB1234 expired');
    expect(out.code).toBe('HFT_AUTH_EXPIRED');
    expect(out.details).toEqual({ accountKey: 'upstox:CID:AB1234' });
    expect(out.stack).toMatch(/^AuthError: Token for AB1234 expired/);
    const cause = out.cause as Record<string, unknown>;
    expect(cause.message).toBe(`socket closed for ${REDACTED}`);
    expect(cause.stack).not.toContain('tok-12345');
  });

  test('own enumerable fields follow the key rules', () => {
    const error = Object.assign(new Error('x'), { client_secret: 'abcdef', clientId: 'CID', code: 'Qx7Lm2' });
    const out = new Redactor().redact(error) as Record<string, unknown>;
    expect(out.client_secret).toBe(REDACTED);
    expect(out.clientId).toBe('CID');
    expect(out.code).toBe(REDACTED);
  });

  test('AggregateError keeps its inner errors', () => {
    const error = new AggregateError([new Error('first tok-12345'), new Error('second')], 'many');
    const out = new Redactor(['tok-12345']).redact(error) as { errors: { message: string }[] };
    expect(out.errors.map((e) => e.message)).toEqual([`first ${REDACTED}`, 'second']);
  });
});

describe('axios-like errors', () => {
  const config = {
    method: 'post',
    baseURL: 'https://api.upstox.com/',
    url: '/v2/login/authorization/token?code=XYZ&client_id=CID',
    headers: { Authorization: 'Bearer live-token', 'Content-Type': 'application/x-www-form-urlencoded' },
    data: 'code=XYZ&client_id=CID&client_secret=S3cret',
  };

  test('are reduced to a safe summary', () => {
    const error = Object.assign(new Error('Request failed with status code 400'), {
      name: 'AxiosError',
      isAxiosError: true,
      code: 'ERR_BAD_REQUEST',
      config,
      request: { _header: 'Authorization: Bearer live-token' },
      response: {
        status: 400,
        headers: { 'set-cookie': ['a=b'] },
        data: {
          status: 'error',
          errors: [{ error_code: 'UDAPI100057', message: 'Invalid Auth code', invalid_value: 'XYZ' }],
        },
      },
    });
    expect(new Redactor().redact({ error })).toEqual({
      error: {
        name: 'AxiosError',
        message: 'Request failed with status code 400',
        code: 'ERR_BAD_REQUEST',
        method: 'POST',
        url: `https://api.upstox.com/v2/login/authorization/token?code=${REDACTED}&client_id=CID`,
        status: 400,
        brokerCode: 'UDAPI100057',
        brokerMessage: 'Invalid Auth code',
      },
    });
  });

  test('fall back to the camelCase Upstox error code, and work without a response', () => {
    const r = new Redactor();
    const withCamel = {
      isAxiosError: true,
      message: 'Request failed with status code 401',
      config: { ...config, url: 'https://api.upstox.com/v2/user/profile' },
      response: { status: 401, data: { errors: [{ errorCode: 'UDAPI100050', message: 'Invalid token' }] } },
    };
    expect(r.redact(withCamel)).toEqual({
      message: 'Request failed with status code 401',
      method: 'POST',
      url: 'https://api.upstox.com/v2/user/profile',
      status: 401,
      brokerCode: 'UDAPI100050',
      brokerMessage: 'Invalid token',
    });
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
      config,
      request: {},
    });
    expect(r.redact(network)).toEqual({
      name: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      code: 'ECONNREFUSED',
      method: 'POST',
      url: `https://api.upstox.com/v2/login/authorization/token?code=${REDACTED}&client_id=CID`,
    });
  });

  test('an axios response object is summarised the same way', () => {
    const response = { status: 200, data: { access_token: 'x' }, headers: {}, config, request: {} };
    expect(new Redactor().redact(response)).toEqual({
      method: 'POST',
      url: `https://api.upstox.com/v2/login/authorization/token?code=${REDACTED}&client_id=CID`,
      status: 200,
    });
  });
});
