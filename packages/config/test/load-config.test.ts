import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ErrorCodes } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import {
  type ConfigWarning,
  Credentials,
  type LoadConfigOptions,
  loadConfig,
  requireCredentials,
} from '../src/index.js';
import { CREDS, SECRET, tempDir, writeAt } from './helpers.js';

interface Sandbox {
  homedir: string;
  cwd: string;
  hftHome: string;
}

async function sandbox(): Promise<Sandbox> {
  const root = await tempDir();
  const homedir = join(root, 'home');
  const cwd = join(root, 'project');
  await mkdir(homedir, { recursive: true });
  await mkdir(cwd, { recursive: true });
  return { homedir, cwd, hftHome: join(homedir, '.hft') };
}

function load(box: Sandbox, options: LoadConfigOptions = {}) {
  return loadConfig({ homedir: box.homedir, cwd: box.cwd, env: {}, ...options });
}

async function loadError(box: Sandbox, options: LoadConfigOptions = {}): Promise<ConfigError> {
  return load(box, options).then(
    () => {
      throw new Error('expected loadConfig to reject');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    },
  );
}

describe('loadConfig', () => {
  it('works with no files and an empty environment: defaults, no credentials, no warnings', async () => {
    const box = await sandbox();
    const { config, sources, warnings } = await load(box);
    expect(config.home).toBe(box.hftHome);
    expect(config.configFile).toBeUndefined();
    expect(config.credentials.clientId).toBeUndefined();
    expect(sources.home).toBe('default');
    expect(warnings).toEqual([]);
  });

  it('reads $HFT_HOME/config.json before ./hft.config.json', async () => {
    const box = await sandbox();
    const inHome = await writeAt(join(box.hftHome, 'config.json'), { logLevel: 'debug' });
    await writeAt(join(box.cwd, 'hft.config.json'), { logLevel: 'error' });
    const { config, sources } = await load(box);
    expect(config.configFile).toBe(inHome);
    expect(config.logLevel).toBe('debug');
    expect(sources.logLevel).toBe(inHome);
    expect(sources.configFile).toBe('default');
  });

  it('falls back to ./hft.config.json, and finds $HFT_HOME from the environment', async () => {
    const box = await sandbox();
    const inCwd = await writeAt(join(box.cwd, 'hft.config.json'), { account: 'paper' });
    expect((await load(box)).config.configFile).toBe(inCwd);
    const otherHome = join(box.cwd, 'alt-home');
    const inAltHome = await writeAt(join(otherHome, 'config.json'), { account: 'alt' });
    const { config } = await load(box, { env: { HFT_HOME: otherHome } });
    expect(config.configFile).toBe(inAltHome);
    expect(config.account).toBe('alt');
  });

  it('uses an explicit config file (relative to cwd) over the search', async () => {
    const box = await sandbox();
    await writeAt(join(box.hftHome, 'config.json'), { logLevel: 'debug' });
    const explicit = await writeAt(join(box.cwd, 'conf', 'mine.json'), { logLevel: 'warn' });
    const { config, sources } = await load(box, { configFile: 'conf/mine.json' });
    expect(config.configFile).toBe(explicit);
    expect(config.logLevel).toBe('warn');
    expect(sources.configFile).toBe('options');
  });

  it('fails with HFT_CONFIG_FILE when an explicit config file does not exist', async () => {
    const box = await sandbox();
    const error = await loadError(box, { configFile: join(box.cwd, 'missing.json') });
    expect(error.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(error.issues).toEqual([
      { field: 'configFile', source: join(box.cwd, 'missing.json'), message: 'does not exist' },
    ]);
  });

  it('reads the credentials file named by the config file, relative to the config file', async () => {
    const box = await sandbox();
    await writeAt(join(box.hftHome, 'config.json'), { credentialsFile: 'secrets/upstox.json' });
    const credentialsPath = await writeAt(join(box.hftHome, 'secrets', 'upstox.json'), CREDS);
    const { config, sources } = await load(box);
    expect(config.credentialsFile).toBe(credentialsPath);
    expect(config.credentials.clientSecret).toBe(SECRET);
    expect(sources['credentials.clientSecret']).toBe(credentialsPath);
  });

  it('applies options > environment > config file > credentials file > defaults with real files', async () => {
    const box = await sandbox();
    const configPath = await writeAt(join(box.hftHome, 'config.json'), {
      logLevel: 'debug',
      account: 'from-file',
      baseUrl: 'https://file.example.com',
      credentials: { clientId: 'id-from-file' },
    });
    const credentialsPath = await writeAt(join(box.hftHome, 'credentials.json'), CREDS);
    const { config, sources } = await load(box, {
      logLevel: 'error',
      env: { HFT_LOG_LEVEL: 'warn', HFT_ACCOUNT: 'from-env', UPSTOX_BASE_URL: 'http://127.0.0.1:4010' },
    });
    expect(config.logLevel).toBe('error');
    expect(sources.logLevel).toBe('options');
    expect(config.account).toBe('from-env');
    expect(sources.account).toBe('HFT_ACCOUNT');
    expect(config.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.credentials.clientId).toBe('id-from-file');
    expect(sources['credentials.clientId']).toBe(configPath);
    expect(sources['credentials.clientSecret']).toBe(credentialsPath);
    expect(config.orderBaseUrl).toBe('https://api-hft.upstox.com');
    expect(sources.orderBaseUrl).toBe('default');
  });

  it('reads process.env, process.cwd() and os.homedir() when not injected', async () => {
    const saved = process.env.HFT_LOG_LEVEL;
    process.env.HFT_LOG_LEVEL = 'debug';
    try {
      const box = await sandbox();
      const { config } = await loadConfig({ homedir: box.homedir, cwd: box.cwd });
      expect(config.logLevel).toBe('debug');
    } finally {
      if (saved === undefined) delete process.env.HFT_LOG_LEVEL;
      else process.env.HFT_LOG_LEVEL = saved;
    }
  });
});

describe('loadConfig errors', () => {
  it('throws HFT_CONFIG_INVALID with every issue in details and one per line in the message', async () => {
    const box = await sandbox();
    await writeAt(join(box.hftHome, 'config.json'), { storage: 'mongodb://x' });
    const error = await loadError(box, {
      env: { UPSTOX_BASE_URL: 'http://example.com', HFT_LOG_LEVEL: 'trace', UPSTOX_CLIENT_ID: '' },
    });
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.details.issues).toHaveLength(4);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid configuration (4 problems):');
    expect(lines.slice(1)).toEqual(
      error.issues.map((issue) => `  - ${issue.field} (from ${issue.source}): ${issue.message}`),
    );
    expect(error.message).toContain(`storage (from ${join(box.hftHome, 'config.json')})`);
  });

  it('throws HFT_CONFIG_FILE for malformed JSON, naming the file, and still lists other problems', async () => {
    const box = await sandbox();
    const path = await writeAt(join(box.hftHome, 'config.json'), '{"logLevel": "debug",}');
    const error = await loadError(box, { env: { HFT_ACCOUNT: ' ' } });
    expect(error.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(error.message).toContain(path);
    expect(error.issues.map((issue) => issue.field)).toEqual(['account', 'configFile']);
    expect(error.issues[1]?.message).toContain('is not valid JSON');
  });

  it('throws HFT_CONFIG_FILE for an unreadable credentials file (a directory at its path)', async () => {
    const box = await sandbox();
    await mkdir(join(box.hftHome, 'credentials.json'), { recursive: true });
    const error = await loadError(box);
    expect(error.code).toBe(ErrorCodes.CONFIG_FILE);
    expect(error.issues).toEqual([
      {
        field: 'credentialsFile',
        source: join(box.hftHome, 'credentials.json'),
        message: 'is not a regular file',
      },
    ]);
  });

  it('never puts the secret in the error', async () => {
    const box = await sandbox();
    await writeAt(join(box.hftHome, 'credentials.json'), `{"client_id": "a", "client_secret": "${SECRET}`);
    const error = await loadError(box, { env: { UPSTOX_CLIENT_SECRET: `${SECRET} x` } });
    expect(`${error.message}\n${JSON.stringify(error.issues)}\n${JSON.stringify(error)}`).not.toContain(
      SECRET,
    );
  });
});

describe('file permission warnings', () => {
  it('warns about a 0644 credentials file via onWarning and the returned list, naming the fix', async () => {
    const box = await sandbox();
    const path = await writeAt(join(box.hftHome, 'credentials.json'), CREDS, 0o644);
    const seen: ConfigWarning[] = [];
    const { warnings, config } = await load(box, { onWarning: (warning) => seen.push(warning) });
    expect(config.credentials.clientId).toBe(CREDS.client_id);
    expect(warnings).toHaveLength(1);
    expect(seen).toEqual(warnings);
    expect(warnings[0]?.path).toBe(path);
    expect(warnings[0]?.message).toContain(`chmod 600 ${path}`);
  });

  it('does not warn about a 0600 credentials file', async () => {
    const box = await sandbox();
    await writeAt(join(box.hftHome, 'credentials.json'), CREDS, 0o600);
    expect((await load(box)).warnings).toEqual([]);
  });

  it('warns about a group-readable config file only when it holds a client secret', async () => {
    const box = await sandbox();
    const path = await writeAt(join(box.hftHome, 'config.json'), { logLevel: 'warn' }, 0o640);
    expect((await load(box)).warnings).toEqual([]);
    await writeAt(path, { credentials: { client_secret: SECRET } }, 0o640);
    const { warnings } = await load(box);
    expect(warnings.map((warning) => warning.path)).toEqual([path]);
    expect(warnings[0]?.message).toContain('mode 0640');
  });
});

describe('requireCredentials', () => {
  it('returns Credentials when all three are configured', async () => {
    const box = await sandbox();
    await writeAt(join(box.hftHome, 'credentials.json'), CREDS);
    const { config } = await load(box);
    const credentials = requireCredentials(config);
    expect(credentials).toBeInstanceOf(Credentials);
    expect(credentials.toDict()).toEqual(CREDS);
  });

  it('throws HFT_CONFIG_MISSING naming each missing variable and how to set it', async () => {
    const box = await sandbox();
    const { config } = await load(box, { env: { UPSTOX_CLIENT_ID: 'cid' } });
    let caught: unknown;
    try {
      requireCredentials(config);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe(ErrorCodes.CONFIG_MISSING);
    expect(error.issues.map((issue) => issue.field)).toEqual([
      'credentials.clientSecret',
      'credentials.redirectUri',
    ]);
    expect(error.message).toContain('export UPSTOX_CLIENT_SECRET=');
    expect(error.message).toContain('export UPSTOX_REDIRECT_URI=');
    expect(error.message).toContain(`"client_secret" to ${config.credentialsFile}`);
    expect(error.message).not.toContain('UPSTOX_CLIENT_ID');
  });

  it('rejects something that is not a resolved config', () => {
    expect(() => requireCredentials({} as never)).toThrow(/resolved config/);
  });
});
