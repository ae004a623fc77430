import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import { Credentials, loadConfig, MIN_CLIENT_SECRET_LENGTH, parseConfig } from '../src/index.js';
import { tempDir, writeAt } from './helpers.js';

const SHORT = ['Q', 'Q7', 'Q7z'];

function everything(error: unknown): string {
  const e = error as ConfigError;
  return `${e.message}\n${JSON.stringify(e.issues)}\n${JSON.stringify(e)}`;
}

describe('a client secret of 1 to 3 characters', () => {
  it('is a config issue naming UPSTOX_CLIENT_SECRET, and nothing about redaction', () => {
    expect(MIN_CLIENT_SECRET_LENGTH).toBe(4);
    for (const secret of SHORT) {
      const result = parseConfig({ homedir: '/home/t', cwd: '/srv', env: { UPSTOX_CLIENT_SECRET: secret } });
      expect(result.ok, secret).toBe(false);
      if (result.ok) continue;
      expect(result.issues).toEqual([
        {
          field: 'credentials.clientSecret',
          source: 'UPSTOX_CLIENT_SECRET',
          message: expect.stringMatching(/^is too short to be the API secret of your Upstox app/),
        },
      ]);
      expect(JSON.stringify(result.issues)).not.toMatch(/redact/i);
    }
    const four = parseConfig({ homedir: '/home/t', cwd: '/srv', env: { UPSTOX_CLIENT_SECRET: 'Q7zX' } });
    expect(four.ok).toBe(true);
  });

  it('loadConfig rejects with a ConfigError naming the variable (env) or the file and field', async () => {
    const root = await tempDir();
    const homedir = join(root, 'home');
    await mkdir(homedir, { recursive: true });
    const fromEnv = await loadConfig({ homedir, cwd: root, env: { UPSTOX_CLIENT_SECRET: 'Q7z' } }).catch(
      (e: unknown) => e,
    );
    expect(fromEnv).toBeInstanceOf(ConfigError);
    expect((fromEnv as ConfigError).message).toContain('UPSTOX_CLIENT_SECRET');
    expect((fromEnv as ConfigError).message).toContain('too short');
    expect(everything(fromEnv)).not.toMatch(/redact/i);
    expect(everything(fromEnv)).not.toContain('"Q7z"');

    const file = await writeAt(join(homedir, '.hft', 'credentials.json'), {
      client_id: 'cid',
      client_secret: 'Q7',
      redirect_uri: 'http://127.0.0.1:5055/callback',
    });
    const fromFile = await loadConfig({ homedir, cwd: root, env: {} }).catch((e: unknown) => e);
    expect(fromFile).toBeInstanceOf(ConfigError);
    expect((fromFile as ConfigError).issues).toEqual([
      expect.objectContaining({ field: 'credentials.clientSecret', source: file }),
    ]);
    expect((fromFile as ConfigError).message).toContain(file);
    expect(everything(fromFile)).not.toMatch(/redact/i);
  });

  it('Credentials.assertValid() refuses it with a ConfigError naming clientSecret', () => {
    const credentials = new Credentials({
      clientId: 'cid',
      clientSecret: 'Q7z',
      redirectUri: 'http://127.0.0.1:5055/callback',
    });
    let error: unknown;
    try {
      credentials.assertValid();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('credentials.clientSecret');
    expect((error as ConfigError).message).toContain('too short');
    expect(everything(error)).not.toContain('"Q7z"');
    expect(everything(error)).not.toMatch(/redact/i);
  });
});
