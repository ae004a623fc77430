import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { findSecretsIn, registeredSecrets, type SecretKind } from './helpers/registry.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

// The scan itself runs in test/setup.ts after every file. These tests show it can fail and
// that it knows the secrets of a real login.

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJFTVUwMDEifQ.c2lnbmF0dXJlLXZhbHVl';

describe('the secret scan', () => {
  it('finds a registered secret, and any JWT, except access tokens on hft token stdout', () => {
    const known = new Map<string, SecretKind>([
      ['s3cr3t-value', 'client secret'],
      [JWT, 'access token'],
    ]);
    expect(findSecretsIn('nothing here', 'x', known)).toEqual([]);
    expect(findSecretsIn('oops s3cr3t-value', 'stderr', known)).toEqual(['client secret in stderr']);
    expect(findSecretsIn(`token ${JWT}`, 'log', known)).toEqual(['access token in log', 'a JWT in log']);
    const other = 'eyJ0eXAiOiJKV1QifQ.eyJ1bmtub3duIjp0cnVlfQ.b3RoZXItc2lnbmF0dXJl';
    expect(findSecretsIn(other, 'out', known)).toEqual(['a JWT in out']);
    expect(findSecretsIn(`${JWT}\n`, 'token stdout', known, true)).toEqual([]);
    expect(findSecretsIn('s3cr3t-value', 'token stdout', known, true)).toEqual([
      'client secret in token stdout',
    ]);
  });

  describe('after a real login', () => {
    let upstox: TestUpstox;
    let account: TestAccount;
    beforeAll(async () => {
      upstox = await TestUpstox.start();
      account = await upstox.account();
      const { result } = await upstox.login(account, { args: ['--log-level', 'debug'] });
      expect(result.code, result.stderr).toBe(0);
    });
    afterAll(() => upstox?.close());

    it('knows the client secret, the access and extended tokens and the auth code', async () => {
      const whoami = await runCli(['--log-level', 'debug', 'whoami'], { env: account.env });
      expect(whoami.code, whoami.stderr).toBe(0);
      const kinds = new Set(registeredSecrets().values());
      expect([...kinds].sort()).toEqual(['access token', 'auth code', 'client secret', 'extended token']);
    });
  });
});
