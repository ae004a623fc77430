import { ErrorCodes } from '@hft/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCallback } from '../src/index.js';
import { budget, outcome, SECRET_MARK, secretArb } from './fuzz-kit.js';

const BASES = ['http://127.0.0.1:5055/callback', 'https://example.com/cb', 'http://[::1]:1/x/y'];

/** A query-string piece: Upstox's parameters (the code is a secret) and noise. */
const param = fc.oneof(
  secretArb.map((code) => ['code', code]),
  fc.string({ maxLength: 12 }).map((state) => ['state', state]),
  fc.constantFrom('access_denied', 'invalid_request', '').map((error) => ['error', error]),
  fc.string({ maxLength: 30 }).map((text) => ['error_description', text]),
  fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })),
);

/** What a user or a browser may hand over: a redirect URL, its query, or something broken. */
const callbackText = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...BASES),
      fc.array(param, { maxLength: 4 }),
      fc.constantFrom('', '#frag', '&', '%', '%E0%A4%A'),
    )
    .map(
      ([base, params, tail]) =>
        `${base}?${new URLSearchParams(params as [string, string][]).toString()}${tail}`,
    ),
  fc
    .array(param, { maxLength: 4 })
    .map((params) => `?${new URLSearchParams(params as [string, string][]).toString()}`),
  fc.constantFrom(
    'http://',
    'http://[',
    'https://h:99999/?code=x',
    'http://a b/?code=x',
    '?',
    '',
    ' ',
    'code=x',
  ),
  fc.string({ maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

describe('parseCallback fuzz', () => {
  it('any text gives the code or a coded error that never shows the code', () => {
    fc.assert(
      fc.property(
        callbackText,
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        (text, expected) => {
          const codes = [...text.matchAll(new RegExp(`${SECRET_MARK}[A-Za-z0-9._~-]*`, 'g'))].map(
            (m) => m[0],
          );
          const result = outcome(() => parseCallback(text, expected), codes);
          if (result.ok) {
            expect(result.value.code.length).toBeGreaterThan(0);
            if (expected !== undefined) expect(result.value.state).toBe(expected);
          } else {
            expect([
              ErrorCodes.INPUT_INVALID,
              ErrorCodes.AUTH_STATE_MISMATCH,
              ErrorCodes.AUTH_CALLBACK_INVALID,
            ]).toContain(result.error.code);
          }
        },
      ),
      budget(400),
    );
  });

  it('a valid redirect round-trips its code and state, as a string, a query or a URL; another state is refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASES),
        secretArb,
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (base, code, state, other) => {
          const query = `?${new URLSearchParams({ code, state }).toString()}`;
          for (const input of [`${base}${query}`, query, new URL(`${base}${query}`)]) {
            expect(parseCallback(input, state)).toEqual({ code, state });
            const wrong = outcome(() => parseCallback(input, `${other}${state}`), [code]);
            expect(wrong.ok).toBe(false);
            if (!wrong.ok) expect(wrong.error.code).toBe(ErrorCodes.AUTH_STATE_MISMATCH);
          }
        },
      ),
      budget(200),
    );
  });
});
