import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createLogger, type HftLogger } from '../src/index.js';
import { CapturedStream, leaksIn, makeTempDir, manualClock, readLines } from './helpers.js';

const SECRETS = {
  clientSecret: 'cs_9f8e7d6c5b4a3210fedc',
  accessToken: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJBQjEyMzQiLCJhIjoxfQ.acc3ss-S1gnature_x',
  extendedToken: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJBQjEyMzQiLCJlIjoxfQ.ext3nded-S1gnature_y',
  authCode: 'Qx7Lm2',
  custom: 'my+custom/s3cret=value',
  password: 'P@ss w0rd!#42',
};
type SecretKind = keyof typeof SECRETS;

const CLIENT_ID = 'c1ient-id-7f3a2b';
const USER_ID = 'AB1234';

/** An axios-like error for a failed token exchange, carrying every secret in its request. */
function tokenExchangeError(): Error {
  const form = new URLSearchParams({
    code: SECRETS.authCode,
    client_id: CLIENT_ID,
    client_secret: SECRETS.clientSecret,
    redirect_uri: 'http://127.0.0.1:5055/callback',
    grant_type: 'authorization_code',
  }).toString();
  const config = {
    method: 'post',
    baseURL: 'https://api.upstox.com',
    url: `/v2/login/authorization/token?code=${SECRETS.authCode}&client_id=${CLIENT_ID}`,
    headers: {
      Authorization: `Bearer ${SECRETS.accessToken}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Custom': SECRETS.custom,
    },
    data: form,
    auth: { username: USER_ID, password: SECRETS.password },
  };
  const error = Object.assign(new Error('Request failed with status code 400'), {
    name: 'AxiosError',
    isAxiosError: true,
    code: 'ERR_BAD_REQUEST',
    config,
    request: {
      _header: `POST /v2/login/authorization/token HTTP/1.1\r\nAuthorization: Bearer ${SECRETS.accessToken}\r\n`,
      path: config.url,
    },
    response: {
      status: 400,
      headers: { 'set-cookie': [`session=${SECRETS.extendedToken}`] },
      config,
      data: {
        status: 'error',
        errors: [
          {
            error_code: 'UDAPI100057',
            message: 'Invalid Auth code',
            property_path: null,
            invalid_value: SECRETS.authCode,
            errorCode: 'UDAPI100057',
            invalidValue: SECRETS.authCode,
          },
        ],
      },
    },
  });
  return error;
}

/** Logs `secret` through every path a caller could use. */
function logThroughEveryPath(log: HftLogger, kind: SecretKind, secret: string): void {
  log.info(`step for ${kind} failed near ${secret} in message`, { clientId: CLIENT_ID, userId: USER_ID });
  log.warn(`callback http://127.0.0.1:5055/callback?code=${encodeURIComponent(secret)}&state=st4te`);
  log.warn(`form body code=${encodeURIComponent(secret)}&client_id=${CLIENT_ID}`);
  log.info('metadata object', { kind, value: secret, clientId: CLIENT_ID });
  log.info('nested object', { kind, outer: { inner: { deeper: { value: secret } } }, userId: USER_ID });
  log.info('array', { kind, list: ['plain', secret, { value: secret }, [secret]] });
  log.info('json text', { kind, body: JSON.stringify({ value: secret, user_id: USER_ID }) });
  log.error('error message', { kind, error: new Error(`exchange failed for ${secret}`) });
  log.error('error cause chain', {
    kind,
    error: new Error('outer failure', {
      cause: new Error('middle failure', { cause: new Error(`root cause ${secret}`) }),
    }),
  });
  const withProps = Object.assign(new Error('error with own props'), {
    detail: secret,
    nested: { value: secret },
  });
  log.error('error own props', { kind, error: withProps });
  log.child({ kind, session: secret, clientId: CLIENT_ID }).info('child logger entry', { userId: USER_ID });
  log
    .child({ kind })
    .child({ deeper: { value: secret } })
    .warn('grandchild entry');
}

describe('no secret reaches any output', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  test('registered secrets: every kind through every path, to a real file and a console stream', async () => {
    const file = path.join(temp.dir, 'logs', 'hft.log');
    const stream = new CapturedStream();
    const log = createLogger({
      level: 'debug',
      file,
      stream,
      name: 'leak-test',
      clock: manualClock().now,
      secrets: [SECRETS.clientSecret, SECRETS.accessToken, SECRETS.extendedToken, SECRETS.authCode],
    });
    log.addSecret(SECRETS.custom);
    // Registered through a child: the registry is shared with the parent.
    log.child({ component: 'auth' }).addSecret(SECRETS.password);

    for (const [kind, secret] of Object.entries(SECRETS) as [SecretKind, string][]) {
      logThroughEveryPath(log, kind, secret);
    }
    log.error('token exchange failed', { error: tokenExchangeError(), clientId: CLIENT_ID });
    log.child({ request: tokenExchangeError() }).error('child with axios error');
    await log.close();

    const fileText = readLines(file).join('\n');
    const consoleText = stream.text;
    for (const output of [fileText, consoleText]) {
      expect(leaksIn(output, SECRETS)).toEqual([]);
      // Context that is not secret survives.
      expect(output).toContain(CLIENT_ID);
      expect(output).toContain(USER_ID);
      expect(output).toContain('step for clientSecret failed near [REDACTED] in message');
      expect(output).toContain('exchange failed for [REDACTED]');
      expect(output).toContain('root cause [REDACTED]');
      expect(output).toContain('state=st4te');
      expect(output).toContain('UDAPI100057');
      expect(output).toContain('Invalid Auth code');
      expect(output).toContain('https://api.upstox.com/v2/login/authorization/token');
      expect(output).toContain('child logger entry');
      expect(output).toContain('grandchild entry');
    }
    // 6 kinds x 12 entries + 2 axios entries, each exactly one line in both outputs.
    expect(readLines(file)).toHaveLength(6 * 12 + 2);
    expect(stream.lines).toHaveLength(6 * 12 + 2);
  });

  test('unregistered secrets are still caught by key name, Bearer, URL and form patterns', async () => {
    const file = path.join(temp.dir, 'unregistered.log');
    const stream = new CapturedStream();
    const log = createLogger({ level: 'debug', file, stream, clock: manualClock().now });

    log.info('token response', {
      access_token: SECRETS.accessToken,
      extendedToken: SECRETS.extendedToken,
      client_id: CLIENT_ID,
      user_id: USER_ID,
    });
    log.info('credentials', {
      clientId: CLIENT_ID,
      clientSecret: SECRETS.clientSecret,
      password: SECRETS.password,
    });
    log.info('headers', {
      headers: { Authorization: `Bearer ${SECRETS.accessToken}`, 'x-api-key': SECRETS.custom },
    });
    log.info(`calling with Bearer ${SECRETS.extendedToken} now`);
    log.info(`redirected to https://app.example/callback?code=${SECRETS.authCode}&state=abc`);
    log.info('exchange', {
      body: `code=${SECRETS.authCode}&client_id=${CLIENT_ID}&client_secret=${SECRETS.clientSecret}`,
    });
    log.info('raw body', { text: JSON.stringify({ access_token: SECRETS.accessToken, user_id: USER_ID }) });
    log.info('auth code', { code: SECRETS.authCode, state: 'st4te' });
    log.info('list of tokens', { items: [{ token: SECRETS.accessToken }, { secret: SECRETS.custom }] });
    log.error('axios failure', { error: tokenExchangeError() });
    const error = Object.assign(new Error('with props'), {
      accessToken: SECRETS.accessToken,
      userId: USER_ID,
    });
    log.error('error props', { error });
    log.child({ extended_token: SECRETS.extendedToken, clientId: CLIENT_ID }).info('child meta');
    await log.close();

    for (const output of [readLines(file).join('\n'), stream.text]) {
      expect(leaksIn(output, SECRETS)).toEqual([]);
      expect(output).toContain(CLIENT_ID);
      expect(output).toContain(USER_ID);
      expect(output).toContain('st4te');
      expect(output).toContain('state=abc');
      expect(output).toContain('calling with Bearer [REDACTED] now');
    }
  });

  test('the file holds one valid JSON object per entry, secrets redacted inside values', async () => {
    const file = path.join(temp.dir, 'json.log');
    const log = createLogger({
      file,
      console: false,
      clock: manualClock().now,
      secrets: [SECRETS.clientSecret],
    });
    log.info(`a ${SECRETS.clientSecret} b`, {
      nested: { list: [SECRETS.clientSecret] },
      clientId: CLIENT_ID,
    });
    await log.close();
    const [line] = readLines(file);
    expect(JSON.parse(line!)).toEqual({
      timestamp: '2026-03-02T04:00:00.000Z',
      level: 'info',
      message: 'a [REDACTED] b',
      meta: { nested: { list: ['[REDACTED]'] }, clientId: CLIENT_ID },
    });
  });
});
