import { MIN_CLIENT_SECRET_LENGTH } from '@hft/config';
import { MIN_SECRET_LENGTH } from '@hft/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME, startCli } from './helpers/cli.js';
import { TestUpstox } from './helpers/upstox.js';

let upstox: TestUpstox;
beforeAll(async () => {
  upstox = await TestUpstox.start();
});
afterAll(() => upstox?.close());

describe('a 1 to 3 character client secret', () => {
  it('hft login: a config error naming UPSTOX_CLIENT_SECRET, nothing about redaction, exit 1', async () => {
    for (const secret of ['Q', 'Q7z']) {
      const account = await upstox.account({ UPSTOX_CLIENT_SECRET: secret });
      const result = await runCli(['login', '--no-browser'], { env: account.env });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain('UPSTOX_CLIENT_SECRET');
      expect(result.stderr).toContain('too short');
      expect(result.stderr).toContain('HFT_CONFIG_INVALID');
      expect(result.stderr).not.toMatch(/redact/i);
      expect(result.stderr).not.toMatch(STACK_FRAME);
      expect(result.stdout).toBe('');
    }
  });

  it('the shortest accepted secret is one the logger can redact: hft login gets as far as the URL', async () => {
    expect(MIN_CLIENT_SECRET_LENGTH).toBeGreaterThanOrEqual(MIN_SECRET_LENGTH);
    const account = await upstox.account({ UPSTOX_CLIENT_SECRET: 'Q7zX'.slice(0, MIN_CLIENT_SECRET_LENGTH) });
    const cli = startCli(['login', '--no-browser'], { env: account.env });
    await cli.waitFor(/\/v2\/login\/authorization\/dialog\?/);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Interrupted; nothing was stored');
    expect(result.stderr).not.toMatch(/redact/i);
  });
});
