import { inspect } from 'node:util';
import * as upstoxHosts from '@hft/auth-core/endpoints';
import { describe, expect, it } from 'vitest';
import {
  Credentials,
  DEFAULT_BASE_URL,
  DEFAULT_ORDER_BASE_URL,
  type ParseConfigInput,
  type ParseConfigResult,
  parseConfig,
} from '../src/index.js';
import { CREDS, SECRET } from './helpers.js';

const HOME = '/home/trader';
const CWD = '/srv/app';
const FILE = '/etc/hft/config.json';
const CRED_FILE = '/home/trader/.hft/credentials.json';

function parse(input: Partial<ParseConfigInput> = {}): ParseConfigResult {
  return parseConfig({ homedir: HOME, cwd: CWD, ...input });
}

function ok(input: Partial<ParseConfigInput> = {}) {
  const result = parse(input);
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.issues)}`);
  return result;
}

function failed(input: Partial<ParseConfigInput>) {
  const result = parse(input);
  if (result.ok) throw new Error('expected issues');
  return result;
}

describe('defaults', () => {
  it('fills every field from defaults derived from homedir', () => {
    const { config, sources } = ok();
    expect({ ...config, credentials: { ...config.credentials } }).toEqual({
      home: '/home/trader/.hft',
      configFile: undefined,
      tokenDir: '/home/trader/.hft/tokens',
      credentialsFile: '/home/trader/.hft/credentials.json',
      logFile: '/home/trader/.hft/logs/hft.log',
      baseUrl: DEFAULT_BASE_URL,
      orderBaseUrl: DEFAULT_ORDER_BASE_URL,
      storage: { kind: 'file', dir: '/home/trader/.hft/tokens' },
      logLevel: 'info',
      account: undefined,
      credentials: { clientId: undefined, clientSecret: undefined, redirectUri: undefined },
    });
    expect(new Set(Object.values(sources))).toEqual(new Set(['default']));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.credentials)).toBe(true);
  });

  it('defaults to the Upstox hosts auth-core owns (the ones its client defaults to)', () => {
    const { config } = ok();
    expect(config.baseUrl).toBe(upstoxHosts.DEFAULT_BASE_URL);
    expect(config.orderBaseUrl).toBe(upstoxHosts.DEFAULT_ORDER_BASE_URL);
    // config re-exports auth-core's constants rather than defining its own.
    expect(DEFAULT_BASE_URL).toBe(upstoxHosts.DEFAULT_BASE_URL);
    expect(DEFAULT_ORDER_BASE_URL).toBe(upstoxHosts.DEFAULT_ORDER_BASE_URL);
  });

  it('derives token dir, credentials file, log file and storage from a configured home', () => {
    const { config, sources } = ok({ env: { HFT_HOME: '/data/hft' } });
    expect(config.tokenDir).toBe('/data/hft/tokens');
    expect(config.credentialsFile).toBe('/data/hft/credentials.json');
    expect(config.logFile).toBe('/data/hft/logs/hft.log');
    expect(config.storage).toEqual({ kind: 'file', dir: '/data/hft/tokens' });
    expect(sources.home).toBe('HFT_HOME');
    expect(sources.tokenDir).toBe('default');
  });
});

describe('each source', () => {
  it('options', () => {
    const { config, sources } = ok({
      options: {
        home: '/opt/hft',
        tokenDir: '/var/tokens',
        credentialsFile: '/secrets/upstox.json',
        logFile: '/var/log/hft.log',
        baseUrl: 'https://emulator.example.com/',
        orderBaseUrl: 'https://orders.example.com',
        storage: 'sqlite:/var/lib/hft.db',
        logLevel: 'debug',
        account: 'main',
        credentials: { clientId: 'cid', clientSecret: SECRET, redirectUri: 'https://example.com/cb' },
      },
    });
    expect(config).toMatchObject({
      home: '/opt/hft',
      tokenDir: '/var/tokens',
      credentialsFile: '/secrets/upstox.json',
      logFile: '/var/log/hft.log',
      baseUrl: 'https://emulator.example.com',
      orderBaseUrl: 'https://orders.example.com',
      storage: { kind: 'sqlite', path: '/var/lib/hft.db' },
      logLevel: 'debug',
      account: 'main',
    });
    expect(config.credentials.clientSecret).toBe(SECRET);
    const { configFile, ...rest } = sources;
    expect(configFile).toBe('default');
    expect(new Set(Object.values(rest))).toEqual(new Set(['options']));
  });

  it('a Credentials instance in options', () => {
    const credentials = Credentials.fromDict(CREDS);
    const { config, sources } = ok({ options: { credentials } });
    expect(config.credentials.clientSecret).toBe(SECRET);
    expect(sources['credentials.clientSecret']).toBe('options');
  });

  it('env, recording each variable name as the source', () => {
    const { config, sources } = ok({
      env: {
        HFT_HOME: '/e/home',
        UPSTOX_BASE_URL: 'http://127.0.0.1:4010',
        UPSTOX_ORDER_BASE_URL: 'http://localhost:4011/',
        HFT_STORAGE: 'redis://localhost:6379/2',
        HFT_LOG_LEVEL: 'WARN',
        HFT_ACCOUNT: 'upstox:cid:U123',
        UPSTOX_CLIENT_ID: 'cid',
        UPSTOX_CLIENT_SECRET: SECRET,
        UPSTOX_REDIRECT_URI: 'http://127.0.0.1:5000/callback',
        PATH: '/usr/bin',
      },
    });
    expect(config).toMatchObject({
      home: '/e/home',
      baseUrl: 'http://127.0.0.1:4010',
      orderBaseUrl: 'http://localhost:4011',
      storage: { kind: 'redis', url: 'redis://localhost:6379/2' },
      logLevel: 'warn',
      account: 'upstox:cid:U123',
    });
    expect(sources).toMatchObject({
      home: 'HFT_HOME',
      baseUrl: 'UPSTOX_BASE_URL',
      orderBaseUrl: 'UPSTOX_ORDER_BASE_URL',
      storage: 'HFT_STORAGE',
      logLevel: 'HFT_LOG_LEVEL',
      account: 'HFT_ACCOUNT',
      'credentials.clientId': 'UPSTOX_CLIENT_ID',
      'credentials.clientSecret': 'UPSTOX_CLIENT_SECRET',
      'credentials.redirectUri': 'UPSTOX_REDIRECT_URI',
    });
  });

  it('config file (text), with paths relative to the file and credentials in either case', () => {
    const text = JSON.stringify({
      $schema: 'https://example.com/hft-config.schema.json',
      home: 'state',
      storage: { kind: 'file', dir: 'tokens-here' },
      logFile: '~/logs/x.log',
      credentials: { client_id: 'cid', clientSecret: SECRET },
    });
    const { config, sources } = ok({ file: { path: FILE, text } });
    expect(config.home).toBe('/etc/hft/state');
    expect(config.storage).toEqual({ kind: 'file', dir: '/etc/hft/tokens-here' });
    expect(config.logFile).toBe('/home/trader/logs/x.log');
    expect(config.configFile).toBe(FILE);
    expect(config.credentials.clientId).toBe('cid');
    expect(config.credentials.clientSecret).toBe(SECRET);
    expect(sources.home).toBe(FILE);
    expect(sources['credentials.clientSecret']).toBe(FILE);
    expect(sources.configFile).toBe('default');
  });

  it('config file (already parsed data) with its source recorded', () => {
    const { config, sources } = ok({ file: { path: FILE, data: { logLevel: 'error' }, source: 'options' } });
    expect(config.logLevel).toBe('error');
    expect(sources.configFile).toBe('options');
  });

  it('credentials file in the snake_case format', () => {
    const { config, sources } = ok({ credentialsFile: { path: CRED_FILE, text: JSON.stringify(CREDS) } });
    expect(config.credentials).toEqual({
      clientId: CREDS.client_id,
      clientSecret: SECRET,
      redirectUri: CREDS.redirect_uri,
    });
    expect(sources['credentials.clientId']).toBe(CRED_FILE);
  });
});

type Layer = 'options' | 'env' | 'file' | 'credentialsFile' | 'default';

/** A layer setting the client id to a value naming the layer. */
function layerWithClientId(layer: Exclude<Layer, 'default'>): Partial<ParseConfigInput> {
  const clientId = `id-from-${layer}`;
  switch (layer) {
    case 'options':
      return { options: { credentials: { clientId } } };
    case 'env':
      return { env: { UPSTOX_CLIENT_ID: clientId } };
    case 'file':
      return { file: { path: FILE, data: { credentials: { clientId } } } };
    case 'credentialsFile':
      return { credentialsFile: { path: CRED_FILE, data: { client_id: clientId } } };
  }
}

/** A layer setting the log level: each layer gets its own level. */
function layerWithLogLevel(layer: Exclude<Layer, 'default' | 'credentialsFile'>): Partial<ParseConfigInput> {
  switch (layer) {
    case 'options':
      return { options: { logLevel: 'error' } };
    case 'env':
      return { env: { HFT_LOG_LEVEL: 'warn' } };
    case 'file':
      return { file: { path: FILE, data: { logLevel: 'debug' } } };
  }
}

const SOURCE_NAME: Record<Layer, string> = {
  options: 'options',
  env: 'UPSTOX_CLIENT_ID',
  file: FILE,
  credentialsFile: CRED_FILE,
  default: 'default',
};

describe('precedence: options > env > config file > credentials file > defaults', () => {
  const pairs: [Exclude<Layer, 'default'>, Layer][] = [
    ['options', 'env'],
    ['options', 'file'],
    ['options', 'credentialsFile'],
    ['options', 'default'],
    ['env', 'file'],
    ['env', 'credentialsFile'],
    ['env', 'default'],
    ['file', 'credentialsFile'],
    ['file', 'default'],
    ['credentialsFile', 'default'],
  ];

  it.each(pairs)('%s beats %s (credentials.clientId)', (higher, lower) => {
    const input = { ...(lower === 'default' ? {} : layerWithClientId(lower)), ...layerWithClientId(higher) };
    const { config, sources } = ok(input);
    expect(config.credentials.clientId).toBe(`id-from-${higher}`);
    expect(sources['credentials.clientId']).toBe(SOURCE_NAME[higher]);
  });

  it.each([
    ['options', 'env', 'error'],
    ['options', 'file', 'error'],
    ['env', 'file', 'warn'],
  ] as const)('%s beats %s for a non-credential setting (logLevel)', (higher, lower, expected) => {
    const { config } = ok({ ...layerWithLogLevel(lower), ...layerWithLogLevel(higher) });
    expect(config.logLevel).toBe(expected);
  });

  it('merges per field: each value from the highest layer that sets it', () => {
    const { config, sources } = ok({
      options: { credentials: { redirectUri: 'https://example.com/cb' } },
      env: { UPSTOX_CLIENT_SECRET: SECRET },
      credentialsFile: { path: CRED_FILE, data: CREDS },
    });
    expect(config.credentials).toEqual({
      clientId: CREDS.client_id,
      clientSecret: SECRET,
      redirectUri: 'https://example.com/cb',
    });
    expect([
      sources['credentials.clientId'],
      sources['credentials.clientSecret'],
      sources['credentials.redirectUri'],
    ]).toEqual([CRED_FILE, 'UPSTOX_CLIENT_SECRET', 'options']);
  });
});

describe('issues', () => {
  it('reports a bad base URL, an unknown storage scheme, a bad log level and an empty client id together', () => {
    const result = failed({
      env: {
        UPSTOX_BASE_URL: 'http://api.upstox.com',
        HFT_STORAGE: 'postgres://db/hft',
        HFT_LOG_LEVEL: 'verbose',
        UPSTOX_CLIENT_ID: '',
      },
    });
    expect(result.code).toBe('HFT_CONFIG_INVALID');
    expect(result.issues.map(({ field, source }) => ({ field, source }))).toEqual([
      { field: 'baseUrl', source: 'UPSTOX_BASE_URL' },
      { field: 'storage', source: 'HFT_STORAGE' },
      { field: 'logLevel', source: 'HFT_LOG_LEVEL' },
      { field: 'credentials.clientId', source: 'UPSTOX_CLIENT_ID' },
    ]);
    const [baseUrl, storage, logLevel, clientId] = result.issues.map((issue) => issue.message);
    expect(baseUrl).toContain('https://');
    expect(storage).toContain('unknown storage scheme "postgres:"');
    expect(storage).toContain('file:<dir>');
    expect(logLevel).toBe('must be one of error, warn, info, debug; got "verbose"');
    expect(clientId).toContain('must not be empty');
  });

  it('reports problems from every layer at once, even values a higher layer overrides', () => {
    const result = failed({
      options: { logLevel: 'loud' as never },
      env: { HFT_LOG_LEVEL: 'info', UPSTOX_ORDER_BASE_URL: 'ftp://x' },
      file: { path: FILE, data: { account: '-bad name' } },
      credentialsFile: { path: CRED_FILE, data: { client_id: 7 } },
    });
    expect(result.issues.map((issue) => `${issue.field}@${issue.source}`)).toEqual([
      'logLevel@options',
      'orderBaseUrl@UPSTOX_ORDER_BASE_URL',
      `account@${FILE}`,
      `credentials.clientId@${CRED_FILE}`,
    ]);
  });

  it('reports wrong types field by field', () => {
    const result = failed({
      options: {
        home: 42,
        baseUrl: true,
        storage: 5,
        logLevel: null,
        account: ['a'],
        credentials: 'cid:secret',
      } as never,
    });
    expect(result.issues.map((issue) => issue.field)).toEqual([
      'home',
      'baseUrl',
      'storage',
      'logLevel',
      'account',
      'credentials',
    ]);
    for (const issue of result.issues) expect(issue.source).toBe('options');
    expect(result.issues[0]?.message).toBe('must be a string: a directory');
  });

  it('reports a non-string environment value', () => {
    const result = failed({ env: { HFT_LOG_LEVEL: 3 } as never });
    expect(result.issues).toEqual([
      {
        field: 'logLevel',
        source: 'HFT_LOG_LEVEL',
        message: 'must be a string: one of error, warn, info, debug',
      },
    ]);
  });

  it('reports unknown keys in options and in the config file (typos must not pass silently)', () => {
    const result = failed({
      options: { baseURL: 'https://x.example' } as never,
      file: { path: FILE, data: { logLevl: 'debug', credentials: { client_secrett: SECRET } } },
    });
    expect(new Set(result.issues.map((issue) => `${issue.field}@${issue.source}`))).toEqual(
      new Set(['baseURL@options', `logLevl@${FILE}`, `credentials.client_secrett@${FILE}`]),
    );
    expect(result.issues[0]?.message).toContain('is not a known option; expected one of home,');
    expect(JSON.stringify(result.issues)).not.toContain(SECRET);
  });

  it('flags a malformed config file as HFT_CONFIG_FILE, naming it, without quoting its content', () => {
    const result = failed({
      env: { HFT_LOG_LEVEL: 'nope' },
      file: { path: FILE, text: `{"credentials": {"clientSecret": "${SECRET}" "x": 1}}` },
    });
    expect(result.code).toBe('HFT_CONFIG_FILE');
    expect(result.issues).toHaveLength(2);
    expect(result.issues[1]).toMatchObject({ field: 'configFile', source: FILE });
    expect(result.issues[1]?.message).toMatch(/^is not valid JSON: .* at line 1, column \d+$/);
    expect(JSON.stringify(result.issues)).not.toContain(SECRET.slice(0, 6));
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"home"'],
    ['null', 'null'],
  ])('flags a config file holding %s as HFT_CONFIG_FILE', (_name, text) => {
    const result = failed({ file: { path: FILE, text } });
    expect(result.code).toBe('HFT_CONFIG_FILE');
    expect(result.issues).toEqual([
      { field: 'configFile', source: FILE, message: 'must contain a JSON object of settings' },
    ]);
  });

  it('flags a credentials file that is not an object as HFT_CONFIG_FILE', () => {
    const result = failed({ credentialsFile: { path: CRED_FILE, text: '[1, 2]' } });
    expect(result.code).toBe('HFT_CONFIG_FILE');
    expect(result.issues[0]).toMatchObject({ field: 'credentialsFile', source: CRED_FILE });
  });

  it('reports problems with the input itself with source "input"', () => {
    const result = failed({ cwd: 'relative/dir', homedir: 7 as never });
    expect(result.issues.map((issue) => `${issue.field}@${issue.source}`)).toEqual([
      'homedir@input',
      'cwd@input',
    ]);
  });

  it('never puts the client secret into an issue message', () => {
    const badSecrets = [`${SECRET} with space`, `${SECRET}\nline`, ` ${SECRET}\t${SECRET}`];
    for (const bad of badSecrets) {
      const result = failed({
        options: { credentials: { client_secret: bad } },
        env: { UPSTOX_CLIENT_SECRET: bad },
        file: { path: FILE, data: { credentials: { clientSecret: bad, client_secret: SECRET } } },
        credentialsFile: { path: CRED_FILE, data: { client_secret: bad } },
      });
      expect(result.issues.length).toBeGreaterThanOrEqual(4);
      expect(JSON.stringify(result.issues)).not.toContain(SECRET);
    }
  });
});

describe('storage', () => {
  it.each([
    ['file:/var/lib/hft/tokens', { kind: 'file', dir: '/var/lib/hft/tokens' }],
    ['file:///var/lib/hft/tokens', { kind: 'file', dir: '/var/lib/hft/tokens' }],
    ['file:rel/tokens', { kind: 'file', dir: '/srv/app/rel/tokens' }],
    ['FILE:~/tokens', { kind: 'file', dir: '/home/trader/tokens' }],
    ['sqlite:/var/lib/hft/hft.db', { kind: 'sqlite', path: '/var/lib/hft/hft.db' }],
    ['sqlite://data/hft.db', { kind: 'sqlite', path: '/srv/app/data/hft.db' }],
    ['redis://localhost:6379', { kind: 'redis', url: 'redis://localhost:6379' }],
    [
      'rediss://user:pw@cache.example.com:6380/1',
      { kind: 'redis', url: 'rediss://user:pw@cache.example.com:6380/1' },
    ],
  ])('parses %s', (spec, expected) => {
    expect(ok({ env: { HFT_STORAGE: spec } }).config.storage).toEqual(expected);
  });

  it.each([
    ['postgres://db', 'unknown storage scheme "postgres:"'],
    ['memory', 'must be one of file:<dir>'],
    ['file:', 'must not be empty'],
    ['sqlite:', 'must not be empty'],
    ['redis://', 'with a host'],
    ['redis:localhost', 'with a host'],
  ])('rejects %s', (spec, message) => {
    const result = failed({ env: { HFT_STORAGE: spec } });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ field: 'storage', source: 'HFT_STORAGE' });
    expect(result.issues[0]?.message).toContain(message);
  });

  it('accepts the object form in options and rejects a malformed one', () => {
    expect(ok({ options: { storage: { kind: 'sqlite', path: 'x.db' } } }).config.storage).toEqual({
      kind: 'sqlite',
      path: '/srv/app/x.db',
    });
    const result = failed({ options: { storage: { kind: 'file', directory: '/x' } as never } });
    expect(result.issues[0]?.field).toBe('storage');
  });

  it('keeps the redis password but masks it whenever the config is printed or serialised', () => {
    const password = 'r3dis-PASSW0RD-xyz';
    const { config } = ok({ env: { HFT_STORAGE: `rediss://default:${password}@cache:6380` } });
    expect(config.storage.kind === 'redis' && config.storage.url).toContain(password);
    const printed = [
      JSON.stringify(config),
      String(config),
      inspect(config, { depth: 10 }),
      JSON.stringify(config.storage),
      inspect(config.storage),
      JSON.stringify((config as unknown as { toJSON(): unknown }).toJSON()),
    ].join('\n');
    expect(printed).not.toContain(password);
    expect(printed).toContain('rediss://default:****@cache:6380');
  });
});

describe('base URLs', () => {
  it.each([
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://127.9.8.7:1', 'http://127.9.8.7:1'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://[::1]:9000', 'http://[::1]:9000'],
    ['https://api.upstox.com/', 'https://api.upstox.com'],
    ['  https://emulator.example.com/base/  ', 'https://emulator.example.com/base'],
  ])('accepts %s', (url, expected) => {
    expect(ok({ env: { UPSTOX_BASE_URL: url, UPSTOX_ORDER_BASE_URL: url } }).config).toMatchObject({
      baseUrl: expected,
      orderBaseUrl: expected,
    });
  });

  it.each([
    ['http://api.upstox.com', 'must use https://'],
    ['http://127.0.0.1.evil.example', 'must use https://'],
    ['http://localhost.evil.example', 'must use https://'],
    ['http://10.0.0.1:8080', 'must use https://'],
    ['ftp://api.upstox.com', 'must use https://'],
    ['api.upstox.com', 'must be an absolute URL'],
    ['', 'must not be empty'],
    ['https://user:hunter2@api.upstox.com', 'must not contain a user name or password'],
    ['https://api.upstox.com/?x=1', 'must not contain a query'],
  ])('rejects %s', (url, message) => {
    const result = failed({ options: { orderBaseUrl: url } });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ field: 'orderBaseUrl', source: 'options' });
    expect(result.issues[0]?.message).toContain(message);
    expect(result.issues[0]?.message).not.toContain('hunter2');
  });
});

describe('prototype safety', () => {
  const polluting = `{
    "__proto__": { "polluted": "yes", "baseUrl": "http://evil.example" },
    "constructor": { "prototype": { "polluted": "yes" } },
    "prototype": { "logLevel": "debug" },
    "credentials": { "__proto__": { "clientSecret": "planted" }, "clientId": "cid" }
  }`;

  it('ignores __proto__ / constructor / prototype keys in JSON text and never pollutes Object.prototype', () => {
    const { config } = ok({
      file: { path: FILE, text: polluting },
      credentialsFile: { path: CRED_FILE, text: `{"__proto__": {"client_secret": "planted"}}` },
    });
    expect(config.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(config.logLevel).toBe('info');
    expect(config.credentials.clientId).toBe('cid');
    expect(config.credentials.clientSecret).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('ignores the same keys in already-parsed data, and never reads inherited properties', () => {
    const data = JSON.parse(polluting);
    expect(Object.keys(data)).toContain('__proto__');
    const inherited = Object.assign(
      {},
      JSON.parse('{"__proto__": {"logLevel": "debug", "account": "planted"}}'),
    );
    expect((inherited as { logLevel?: string }).logLevel).toBe('debug');
    const { config } = ok({ file: { path: FILE, data }, options: inherited });
    expect(config.logLevel).toBe('info');
    expect(config.account).toBeUndefined();
    expect(config.credentials.clientSecret).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('printing a config', () => {
  it('masks the client secret in JSON, toString and util.inspect but keeps it readable in code', () => {
    const { config } = ok({ credentialsFile: { path: CRED_FILE, data: CREDS } });
    expect(config.credentials.clientSecret).toBe(SECRET);
    const outputs = [
      JSON.stringify(config),
      String(config),
      `${config.credentials}`,
      inspect(config, { depth: 10 }),
      inspect(config.credentials),
      JSON.stringify(config.credentials),
      JSON.stringify((config as unknown as { toJSON(): unknown }).toJSON()),
    ];
    expect(outputs.join('\n').split(SECRET).length - 1).toBe(0);
    expect(JSON.parse(JSON.stringify(config)).credentials).toEqual({
      clientId: CREDS.client_id,
      clientSecret: '****',
      redirectUri: CREDS.redirect_uri,
    });
    expect(inspect(config)).toContain("clientSecret: '****'");
  });
});
