import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS, ENV_VARS, formatStorage, type ParseConfigResult, parseConfig } from '../src/index.js';

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
/** A password in a Redis URL: the secret, sometimes with characters that break URL parsing. */
const urlPassword = fc
  .constantFrom('', '#x', '/x', '?x', '%', '%zz', '@x', ':x', ' x', '\u0000')
  .map((tail) => `${MARKER}${tail}`);
/** Generated storage URLs: every form, with and without a (secret) password, and broken ones. */
const storageUrl = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('file:', 'file://', 'sqlite:', 'sqlite://', 'FILE:'),
      fc.stringMatching(/^[\w./~ -]{0,20}$/),
    )
    .map(([scheme, rest]) => `${scheme}${rest}`),
  fc
    .record({
      scheme: fc.constantFrom('redis', 'rediss', 'REDIS', 'redis+sentinel'),
      user: fc.constantFrom('', 'default', 'u'),
      password: fc.option(urlPassword, { nil: undefined }),
      host: fc.constantFrom('h', '127.0.0.1', '[::1]', '[', '', 'h h', 'xn--'),
      port: fc.constantFrom('', ':6379', ':0', ':99999', ':x'),
      path: fc.constantFrom('', '/0', '/15', '/a/b'),
      query: fc.constantFrom('', `?password=${MARKER}`, '?tls=1', `?x=1&token=${MARKER}`),
    })
    .map(
      ({ scheme, user, password, host, port, path, query }) =>
        `${scheme}://${password === undefined ? (user ? `${user}@` : '') : `${user}:${password}@`}${host}${port}${path}${query}`,
    ),
  fc.string({ maxLength: 20 }).map((rest) => `redis://:${MARKER}@${rest}`),
);
const storageString = fc.oneof(
  fc.constantFrom(
    'file:/t',
    'file:///t',
    'file:rel',
    'sqlite:x.db',
    'sqlite://a/b.db',
    'redis://h:6379',
    'rediss://:pw@h',
  ),
  storageUrl,
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

// Each property is bounded by a run count and a time cap (an interrupted run passes with the runs
// it made). On a failure fast-check prints `{ seed, path }`: add them to the parameters to replay.
describe('parseConfig fuzz', () => {
  it('only ever returns a config or issues for arbitrary layers, never throws, never leaks the secret', () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(input, (candidate) => {
        runs += 1;
        const result = parseConfig(candidate as never);
        check(result);
        if (result.ok) accepted += 1;
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 600, interruptAfterTimeLimit: 2_000 },
    );
    // Both outcomes must be exercised, or the property says little about one of them.
    expect(accepted).toBeGreaterThan(runs / 20);
    expect(accepted).toBeLessThan(runs);
  });

  it('a storage URL in HFT_STORAGE, options or a config file selects the same store, and prints without its password', () => {
    const absolute = fc
      .stringMatching(/^(\/[\w.-]{1,8}){1,3}$/)
      .filter((p) => !/(^|\/)\.{1,2}(\/|$)/.test(p));
    const selection = fc.oneof(
      absolute.map((dir) => ({ kind: 'file' as const, dir })),
      absolute.map((path) => ({ kind: 'sqlite' as const, path })),
      fc
        .record({
          tls: fc.boolean(),
          host: fc.constantFrom('h', '127.0.0.1', '[::1]', 'cache.example'),
          port: fc.constantFrom('', ':6379', ':1'),
          password: fc.option(
            fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/).map((p) => `${MARKER}${p}`),
            { nil: undefined },
          ),
          db: fc.constantFrom('', '/0', '/3'),
        })
        .map(({ tls, host, port, password, db }) => ({
          kind: 'redis' as const,
          url: `${tls ? 'rediss' : 'redis'}://${password === undefined ? '' : `:${password}@`}${host}${port}${db}`,
        })),
    );
    fc.assert(
      fc.property(selection, fc.constantFrom('env', 'options', 'file'), (wanted, where) => {
        const spec =
          wanted.kind === 'redis'
            ? wanted.url
            : `${wanted.kind}:${wanted.kind === 'file' ? wanted.dir : wanted.path}`;
        const layers =
          where === 'env'
            ? { env: { [ENV_VARS.storage]: ` ${spec} ` } }
            : where === 'options'
              ? { options: { storage: spec } }
              : { file: { path: '/etc/hft/config.json', text: JSON.stringify({ storage: spec }) } };
        const result = parseConfig({ homedir: '/home/u', cwd: '/work', ...layers });
        if (!result.ok) expect.fail(`refused ${spec}: ${JSON.stringify(result.issues)}`);
        expect({ ...result.config.storage }).toEqual(wanted);
        const printed = formatStorage(result.config.storage);
        expect(printed).not.toContain(MARKER);
        expect(JSON.stringify(result.config)).not.toContain(MARKER);
        expect(String(result.config.storage)).not.toContain(MARKER);
        if (!spec.includes(MARKER)) {
          const again = parseConfig({
            homedir: '/home/u',
            cwd: '/work',
            env: { [ENV_VARS.storage]: printed },
          });
          expect(again.ok && { ...again.config.storage }).toEqual(wanted);
        }
      }),
      { numRuns: 300, interruptAfterTimeLimit: 1_500 },
    );
  });
});
