import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS, ENV_VARS, type ParseConfigResult, parseConfig } from '../src/index.js';

/** Only ever placed in secret positions, so it must never appear in an issue or a printed config. */
const MARKER = 'FuzzSecretMarker7x';

/** Mostly a valid value, sometimes a near miss, sometimes anything at all. */
function field(valid: fc.Arbitrary<unknown>, nearMiss: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 30, arbitrary: valid },
    { weight: 1, arbitrary: nearMiss },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.anything(), fc.jsonValue()) },
  );
}

const path = field(
  fc.constantFrom('/abs/dir', 'rel/dir', '~', '~/x', './a/../b'),
  fc.constantFrom('', 'a\u0000b'),
);
const url = field(
  fc.constantFrom(
    'https://api.upstox.com',
    'http://127.0.0.1:4010/',
    'http://[::1]:1',
    'https://h.example/p/',
  ),
  fc.constantFrom('', 'http://example.com', 'https://u:p@h', 'https://h/?q', 'nope', 'ftp://h'),
);
const storageString = fc.constantFrom(
  'file:/t',
  'file:///t',
  'file:rel',
  'sqlite:x.db',
  'sqlite://a/b.db',
  'redis://h:6379',
  'rediss://:pw@h',
);
const storage = field(
  fc.oneof(
    storageString,
    fc.constantFrom(
      { kind: 'file', dir: 'd' },
      { kind: 'sqlite', path: '/p.db' },
      { kind: 'redis', url: 'redis://h' },
    ),
  ),
  fc.oneof(
    fc.constantFrom('file:', 'redis://', 'mongodb://x', 'memory', ''),
    fc.record({ kind: fc.anything(), dir: fc.anything(), url: fc.anything() }, { requiredKeys: [] }),
  ),
);
const logLevel = field(
  fc.constantFrom('error', 'warn', 'info', 'debug', ' INFO '),
  fc.constantFrom('verbose', ''),
);
const account = field(
  fc.constantFrom('main', 'upstox:cid:U1', 'a.b-c_d@e'),
  fc.constantFrom('-x', '', 'a b'),
);
const clientId = field(fc.constantFrom('cid-1', ' cid-2 '), fc.constantFrom('', 'a b'));
const secret = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(MARKER, ` ${MARKER}\n`) },
  { weight: 2, arbitrary: fc.constantFrom(`${MARKER} tail`, `${MARKER}\u0000`, `a${MARKER}\tb`, '') },
  { weight: 1, arbitrary: fc.anything() },
);
const redirect = field(
  fc.constantFrom('http://127.0.0.1:5000/callback', 'https://example.com/cb'),
  fc.constantFrom('', 'ftp://x/cb', 'https://e.com/cb#frag', 'not a url'),
);

/** A layer value: mostly the plausible shape, sometimes anything. */
function layer(shape: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 20, arbitrary: shape }, { weight: 1, arbitrary: fc.anything() });
}

function optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arbitrary, { nil: undefined, freq: 2 });
}

const credentials = layer(
  fc.record(
    {
      clientId,
      client_id: clientId,
      clientSecret: secret,
      client_secret: secret,
      redirectUri: redirect,
      redirect_uri: redirect,
      ['__proto__']: fc.anything(),
      constructor: fc.anything(),
    },
    { requiredKeys: [] },
  ),
);

const settingsModel = {
  home: path,
  tokenDir: path,
  credentialsFile: path,
  logFile: path,
  baseUrl: url,
  orderBaseUrl: url,
  storage,
  logLevel,
  account,
  credentials,
  prototype: fc.anything(),
};

const options = layer(fc.record({ ...settingsModel, unknownOption: fc.anything() }, { requiredKeys: [] }));
const configFileData = layer(fc.record({ ...settingsModel, $schema: fc.string() }, { requiredKeys: [] }));

const env = layer(
  fc.record(
    {
      [ENV_VARS.home]: path,
      [ENV_VARS.baseUrl]: url,
      [ENV_VARS.orderBaseUrl]: url,
      [ENV_VARS.storage]: field(storageString, fc.constantFrom('', 'x:', 'memory')),
      [ENV_VARS.logLevel]: logLevel,
      [ENV_VARS.account]: account,
      [ENV_VARS.clientId]: clientId,
      [ENV_VARS.clientSecret]: secret,
      [ENV_VARS.redirectUri]: redirect,
      PATH: fc.string(),
    },
    { requiredKeys: [] },
  ),
);

function stringifyOr(value: unknown, fallback: string): string {
  try {
    return JSON.stringify(value) ?? fallback;
  } catch {
    return fallback;
  }
}

function file(content: fc.Arbitrary<unknown>, filePath: string): fc.Arbitrary<unknown> {
  const where = fc.oneof(
    { weight: 20, arbitrary: fc.constant(filePath) },
    { weight: 1, arbitrary: fc.anything() },
  );
  return layer(
    fc.oneof(
      fc.record({ path: where, data: content }),
      fc.record({ path: where, text: content.map((data) => stringifyOr(data, '{')) }),
      fc.record({
        path: where,
        text: fc.oneof(fc.string(), fc.json(), fc.constant(`{"credentials":{"clientSecret":"${MARKER}"`)),
      }),
      fc.record(
        { path: where, text: fc.anything(), data: fc.anything(), source: fc.anything() },
        { requiredKeys: [] },
      ),
    ),
  );
}

const input = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.record({
      homedir: fc.oneof(
        { weight: 30, arbitrary: fc.constant('/home/u') },
        { weight: 1, arbitrary: fc.anything() },
      ),
      cwd: fc.oneof({ weight: 30, arbitrary: fc.constant('/work') }, { weight: 1, arbitrary: fc.anything() }),
      options: optional(options),
      env: optional(env),
      file: optional(file(configFileData, '/etc/hft/config.json')),
      credentialsFile: optional(file(credentials, '/home/u/.hft/credentials.json')),
    }),
  },
  { weight: 1, arbitrary: fc.anything() },
);

function check(result: ParseConfigResult): void {
  if (result.ok) {
    expect(Object.keys(result.sources).sort()).toEqual([...CONFIG_FIELDS].sort());
    for (const source of Object.values(result.sources)) expect(typeof source).toBe('string');
    for (const key of ['home', 'tokenDir', 'credentialsFile', 'logFile'] as const) {
      expect(result.config[key].startsWith('/')).toBe(true);
    }
    expect(['file', 'sqlite', 'redis']).toContain(result.config.storage.kind);
    expect(['error', 'warn', 'info', 'debug']).toContain(result.config.logLevel);
    expect(JSON.stringify(result.config)).not.toContain(MARKER);
    expect(String(result.config)).not.toContain(MARKER);
  } else {
    expect(result.issues.length).toBeGreaterThan(0);
    expect(['HFT_CONFIG_INVALID', 'HFT_CONFIG_FILE']).toContain(result.code);
    for (const issue of result.issues) {
      expect(typeof issue.field).toBe('string');
      expect(typeof issue.source).toBe('string');
      expect(typeof issue.message).toBe('string');
      expect(issue.message).not.toContain(MARKER);
    }
  }
}

describe('parseConfig fuzz', () => {
  it('only ever returns a config or issues for arbitrary layers, never throws, never leaks the secret', () => {
    let accepted = 0;
    fc.assert(
      fc.property(input, (candidate) => {
        const result = parseConfig(candidate as never);
        check(result);
        if (result.ok) accepted += 1;
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 800 },
    );
    // Both outcomes must be exercised, or the property says little about one of them.
    expect(accepted).toBeGreaterThan(40);
    expect(accepted).toBeLessThan(800);
  });
});
