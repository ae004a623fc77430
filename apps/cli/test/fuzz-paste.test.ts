import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCallback } from '@hft/auth-core';
import { ErrorCodes, isHftError } from '@hft/errors';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_FRAME } from './helpers/cli.js';
import { registerSecret } from './helpers/registry.js';
import { type TestAccount, TestUpstox } from './helpers/upstox.js';

// Property-based fuzz of what `hft login --paste` reads. Each property is bounded (numRuns and a
// time cap); on a failure fast-check prints `{ seed, path }`: add them to the parameters to replay.

const MARK = 'QzPasteCode';
/** An authorization code: secret, so every generated one is registered for the output scan. */
const codeArb = fc.stringMatching(/^[A-Za-z0-9_-]{4,16}$/).map((tail) => {
  const code = `${MARK}${tail}`;
  registerSecret('auth code', code);
  return code;
});

/** What a user may paste: the redirect (maybe with a wrong state, an error, junk around it), its query, a code, or junk. */
const pasteArb = fc.oneof(
  fc
    .record({
      base: fc.constantFrom(
        'http://127.0.0.1:5055/callback',
        'https://example.com/cb',
        'HTTP://[::1]:9/x',
        'http://',
        'https://[',
      ),
      code: fc.option(codeArb, { nil: undefined }),
      state: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      error: fc.option(fc.constantFrom('access_denied', ''), { nil: undefined }),
      tail: fc.constantFrom('', '#', '&x', '%', '%E0%A4%A', ' trailing words'),
    })
    .map(({ base, code, state, error, tail }) => {
      const params = new URLSearchParams();
      if (code !== undefined) params.set('code', code);
      if (state !== undefined) params.set('state', state);
      if (error !== undefined) params.set('error', error);
      return `${base}?${params.toString()}${tail}`;
    }),
  fc
    .tuple(codeArb, fc.string({ maxLength: 8 }))
    .map(([code, state]) => `?code=${code}&state=${encodeURIComponent(state)}`),
  fc.tuple(codeArb, fc.constantFrom('', ' ', '\t', '!', '/', ' x')).map(([code, noise]) => `${code}${noise}`),
  fc.string({ maxLength: 30 }),
);
const whitespace = fc.constantFrom('', ' ', '  ', '\t', '\r');

const codesIn = (text: string) =>
  [...text.matchAll(new RegExp(`${MARK}[A-Za-z0-9_-]*`, 'g'))].map((m) => m[0]);

describe('hft login --paste fuzz', () => {
  it('parseCallback, which reads the pasted redirect, gives the code or a coded error that never shows it', () => {
    fc.assert(
      fc.property(
        whitespace,
        pasteArb,
        whitespace,
        fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
        (before, paste, after, sent) => {
          const input = `${before}${paste}${after}`.trim();
          let code: string;
          try {
            ({ code } = parseCallback(input, sent));
          } catch (error) {
            if (!isHftError(error))
              expect.fail(`untyped exception for ${JSON.stringify(input)}: ${String(error)}`);
            expect([
              ErrorCodes.INPUT_INVALID,
              ErrorCodes.AUTH_STATE_MISMATCH,
              ErrorCodes.AUTH_CALLBACK_INVALID,
            ]).toContain(error.code);
            for (const secret of codesIn(input)) {
              expect(error.message).not.toContain(secret);
              expect(error.message).not.toContain(MARK);
            }
            return;
          }
          expect(code.length).toBeGreaterThan(0);
          const generated = codesIn(input);
          // The code returned is the one pasted (plus whatever junk followed it in the same parameter).
          if (generated.length > 0) expect(generated.some((pasted) => code.includes(pasted))).toBe(true);
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 1_500 },
    );
  });

  describe('the real CLI', () => {
    let upstox: TestUpstox;
    let account: TestAccount;
    beforeAll(async () => {
      upstox = await TestUpstox.start();
      account = await upstox.account();
    });
    afterAll(() => upstox?.close());

    it('any pasted line that is not a valid redirect ends with exit 1 or 2, no stack, no code shown, nothing stored', async () => {
      await fc.assert(
        fc.asyncProperty(pasteArb, async (paste) => {
          const result = await runCli(['login', '--paste'], { env: account.env, input: `${paste}\n` });
          expect([1, 2], result.stderr).toContain(result.code);
          expect(result.stderr).not.toMatch(STACK_FRAME);
          expect(result.stderr.length).toBeGreaterThan(0);
          for (const secret of codesIn(paste))
            expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
          expect(existsSync(join(account.home, 'tokens', 'upstox_token.json'))).toBe(false);
        }),
        { numRuns: 4, interruptAfterTimeLimit: 4_000 },
      );
    }, 30_000);
  });
});
