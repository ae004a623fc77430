import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { ConfigError, ErrorCodes, InputError } from '@hft/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigWarning, Credentials } from '../src/index.js';
import { CREDS, SECRET, tempDir, writeAt } from './helpers.js';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const valid = () =>
  new Credentials({ clientId: CREDS.client_id, clientSecret: SECRET, redirectUri: CREDS.redirect_uri });

describe('Credentials.fromEnv', () => {
  it('reads the three UPSTOX_* variables and trims them', () => {
    const creds = Credentials.fromEnv({
      UPSTOX_CLIENT_ID: ` ${CREDS.client_id}\n`,
      UPSTOX_CLIENT_SECRET: SECRET,
      UPSTOX_REDIRECT_URI: CREDS.redirect_uri,
      UNRELATED: 'x',
    });
    expect(creds.clientId).toBe(CREDS.client_id);
    expect(creds.clientSecret).toBe(SECRET);
    expect(creds.redirectUri).toBe(CREDS.redirect_uri);
  });

  it('names every unset variable and how to set it (HFT_CONFIG_MISSING)', () => {
    const error = catchError(() => Credentials.fromEnv({ UPSTOX_CLIENT_ID: 'abc' }));
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe(ErrorCodes.CONFIG_MISSING);
    expect(configError.issues.map((issue) => issue.source)).toEqual([
      'UPSTOX_CLIENT_SECRET',
      'UPSTOX_REDIRECT_URI',
    ]);
    expect(configError.message).toContain('export UPSTOX_CLIENT_SECRET=');
    expect(configError.message).toContain('export UPSTOX_REDIRECT_URI=');
  });

  it('reports invalid and missing values together (HFT_CONFIG_INVALID) without the secret', () => {
    const error = catchError(() =>
      Credentials.fromEnv({ UPSTOX_CLIENT_ID: '', UPSTOX_CLIENT_SECRET: `${SECRET} trailing-part` }),
    ) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.issues.map((issue) => issue.field)).toEqual([
      'credentials.clientId',
      'credentials.clientSecret',
      'credentials.redirectUri',
    ]);
    expect(`${error.message}${JSON.stringify(error.issues)}`).not.toContain(SECRET);
  });

  describe('default env', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const key of ['UPSTOX_CLIENT_ID', 'UPSTOX_CLIENT_SECRET', 'UPSTOX_REDIRECT_URI']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });

    it('reads process.env when no env is given', () => {
      process.env.UPSTOX_CLIENT_ID = 'from-process-env';
      process.env.UPSTOX_CLIENT_SECRET = SECRET;
      process.env.UPSTOX_REDIRECT_URI = 'https://example.com/cb';
      expect(Credentials.fromEnv().clientId).toBe('from-process-env');
    });
  });
});

describe('Credentials.fromDict', () => {
  it('accepts snake_case keys', () => {
    expect(Credentials.fromDict(CREDS).toDict()).toEqual(CREDS);
  });

  it('accepts camelCase keys, and a mix', () => {
    const camel = Credentials.fromDict({
      clientId: CREDS.client_id,
      clientSecret: SECRET,
      redirectUri: CREDS.redirect_uri,
    });
    expect(camel.toDict()).toEqual(CREDS);
    const mixed = Credentials.fromDict({
      client_id: 'a',
      clientSecret: SECRET,
      redirect_uri: CREDS.redirect_uri,
    });
    expect(mixed.clientId).toBe('a');
  });

  it('rejects both spellings of one key with different values, without the secret', () => {
    const error = catchError(() =>
      Credentials.fromDict({ ...CREDS, clientSecret: `${SECRET}-other` }),
    ) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.issues).toEqual([
      {
        field: 'credentials.clientSecret',
        source: 'dict',
        message: 'is given twice (client_secret and clientSecret) with different values',
      },
    ]);
    expect(error.message).not.toContain(SECRET);
  });

  it('reports missing keys with HFT_CONFIG_MISSING and names the source', () => {
    const error = catchError(() =>
      Credentials.fromDict({ client_id: 'a' }, { source: '/etc/creds.json' }),
    ) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_MISSING);
    expect(error.issues.map((issue) => [issue.field, issue.source])).toEqual([
      ['credentials.clientSecret', '/etc/creds.json'],
      ['credentials.redirectUri', '/etc/creds.json'],
    ]);
    expect(error.issues[0]?.message).toContain('"client_secret"');
  });

  it.each([
    ['a string', 'client_id=abc'],
    ['null', null],
    ['an array', [CREDS]],
  ])('rejects %s as a whole', (_name, input) => {
    const error = catchError(() => Credentials.fromDict(input)) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.issues[0]?.field).toBe('credentials');
  });

  it('reports wrong types and an invalid redirect URI field by field', () => {
    const error = catchError(() =>
      Credentials.fromDict({ client_id: 42, client_secret: SECRET, redirect_uri: 'ftp://host/cb#x' }),
    ) as ConfigError;
    expect(error.issues.map((issue) => issue.field)).toEqual([
      'credentials.clientId',
      'credentials.redirectUri',
    ]);
    expect(error.issues[0]?.message).toContain('must be a string');
  });

  it('ignores __proto__, constructor and prototype keys', () => {
    const dict = JSON.parse(
      `{"__proto__": {"client_secret": "planted"}, "constructor": {"prototype": {"x": 1}}, "client_id": "a",
        "client_secret": "${SECRET}", "redirect_uri": "https://example.com/cb"}`,
    );
    const creds = Credentials.fromDict(dict);
    expect(creds.clientSecret).toBe(SECRET);
    expect(({} as Record<string, unknown>).client_secret).toBeUndefined();
  });

  it('does not read inherited properties (a prototype planted by Object.assign)', () => {
    const planted = Object.assign({}, JSON.parse(`{"__proto__": {"client_secret": "planted"}}`), {
      client_id: 'a',
      redirect_uri: 'https://example.com/cb',
    });
    expect((planted as { client_secret?: string }).client_secret).toBe('planted');
    const error = catchError(() => Credentials.fromDict(planted)) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_MISSING);
    expect(error.issues.map((issue) => issue.field)).toEqual(['credentials.clientSecret']);
  });
});

describe('Credentials.fromFile', () => {
  it('reads the JSON file format', async () => {
    const path = await writeAt(join(await tempDir(), 'credentials.json'), CREDS, 0o600);
    const warnings: ConfigWarning[] = [];
    const creds = await Credentials.fromFile(path, { onWarning: (warning) => warnings.push(warning) });
    expect(creds.toDict()).toEqual(CREDS);
    expect(warnings).toEqual([]);
  });

  it('warns, naming the file and the fix, when group or others can read it', async () => {
    const path = await writeAt(join(await tempDir(), 'credentials.json'), CREDS, 0o644);
    const warnings: ConfigWarning[] = [];
    const creds = await Credentials.fromFile(path, { onWarning: (warning) => warnings.push(warning) });
    expect(creds.clientId).toBe(CREDS.client_id);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.kind).toBe('file-permissions');
    expect(warnings[0]?.path).toBe(path);
    expect(warnings[0]?.message).toContain(`chmod 600 ${path}`);
    expect(warnings[0]?.message).toContain('0644');
    expect(warnings[0]?.message).not.toContain(SECRET);
  });

  it('throws HFT_CONFIG_MISSING for a missing file', async () => {
    const path = join(await tempDir(), 'nope.json');
    const error = (await rejection(Credentials.fromFile(path))) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_MISSING);
    expect(error.issues[0]).toMatchObject({ field: 'credentialsFile', source: path });
  });

  it('throws HFT_CONFIG_FILE for malformed JSON, naming the file but never the secret', async () => {
    const path = await writeAt(
      join(await tempDir(), 'c.json'),
      `{"client_id": "a", "client_secret": "${SECRET}\n`,
    );
    const error = (await rejection(Credentials.fromFile(path))) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(error.issues[0]).toMatchObject({ field: 'credentialsFile', source: path });
    expect(error.message).toContain(path);
    expect(error.message).toContain('not valid JSON');
    expect(`${error.message}${JSON.stringify(error.issues)}`).not.toContain(SECRET);
    expect(`${error.message}`).not.toContain('S3cr');
  });

  it('throws HFT_CONFIG_FILE when the JSON is not an object, or the path is a directory', async () => {
    const dir = await tempDir();
    const arrayFile = await writeAt(join(dir, 'array.json'), [CREDS]);
    expect(((await rejection(Credentials.fromFile(arrayFile))) as ConfigError).code).toBe(
      ErrorCodes.CONFIG_FILE,
    );
    const asDir = join(dir, 'dir.json');
    await mkdir(asDir);
    const error = (await rejection(Credentials.fromFile(asDir))) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(error.issues[0]?.message).toBe('is not a regular file');
  });

  it('reports an invalid value with HFT_CONFIG_INVALID and the file as source', async () => {
    const path = await writeAt(join(await tempDir(), 'c.json'), { ...CREDS, redirect_uri: 'not a url' });
    const error = (await rejection(Credentials.fromFile(path))) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ field: 'credentials.redirectUri', source: path });
  });
});

describe('Credentials.toFile', () => {
  it('writes 0600 in new 0700 directories, and reads back', async () => {
    const root = await tempDir();
    const path = join(root, 'a', 'b', 'credentials.json');
    await valid().toFile(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'a', 'b'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'a'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(CREDS);
    expect((await Credentials.fromFile(path)).toDict()).toEqual(CREDS);
  });

  it('replaces a 0644 file with a 0600 one and leaves an existing parent alone', async () => {
    const root = await tempDir();
    const { chmod } = await import('node:fs/promises');
    await chmod(root, 0o755);
    const path = await writeAt(join(root, 'credentials.json'), { old: true }, 0o644);
    await valid().toFile(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(root)).mode & 0o777).toBe(0o755);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(CREDS);
  });

  it('refuses to write invalid credentials and writes nothing', async () => {
    const path = join(await tempDir(), 'credentials.json');
    const bad = new Credentials({
      clientId: '',
      clientSecret: SECRET,
      redirectUri: 'https://example.com/cb',
    });
    const error = (await rejection(bad.toFile(path))) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports an unwritable location as HFT_CONFIG_FILE', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'blocker'), 'a file where a directory should be');
    const error = (await rejection(valid().toFile(join(root, 'blocker', 'credentials.json')))) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('validate / assertValid / constructor', () => {
  it('returns no issues for valid credentials', () => {
    expect(valid().validate()).toEqual([]);
    expect(() => valid().assertValid()).not.toThrow();
  });

  it('returns one issue per bad field, including surrounding spaces the constructor keeps', () => {
    const creds = new Credentials({
      clientId: ' id ',
      clientSecret: '',
      redirectUri: 'https://x.example/cb#frag',
    });
    const issues = creds.validate('test');
    expect(issues.map((issue) => [issue.field, issue.source])).toEqual([
      ['credentials.clientId', 'test'],
      ['credentials.clientSecret', 'test'],
      ['credentials.redirectUri', 'test'],
    ]);
    const error = catchError(() => creds.assertValid()) as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.issues).toHaveLength(3);
  });

  it('rejects non-string values with InputError naming the argument', () => {
    const error = catchError(
      () => new Credentials({ clientId: 'a', clientSecret: 5 as unknown as string, redirectUri: 'x' }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('clientSecret');
  });
});

describe('secret masking', () => {
  it('never prints the secret through toString, JSON.stringify, util.inspect or console formats', () => {
    const creds = valid();
    const outputs = [
      String(creds),
      `${creds}`,
      JSON.stringify(creds),
      JSON.stringify({ nested: { creds } }),
      inspect(creds),
      inspect({ deep: { creds } }, { depth: 10 }),
      inspect(creds, { showHidden: true }),
      format('%s %o %O %j', creds, creds, creds, creds),
    ];
    const joined = outputs.join('\n');
    expect(joined.split(SECRET).length - 1).toBe(0);
    expect(String(creds)).toContain("client_secret: '****'");
    expect(inspect(creds)).toContain("client_secret: '****'");
    expect(JSON.parse(JSON.stringify(creds))).toEqual({ ...CREDS, client_secret: '****' });
    expect(Object.keys(creds)).toEqual([]);
  });

  it('toDict includes the secret (it is for writing files)', () => {
    expect(valid().toDict().client_secret).toBe(SECRET);
  });
});
