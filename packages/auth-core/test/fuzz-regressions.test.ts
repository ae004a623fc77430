import { ErrorCodes } from '@hft/errors';
import { describe, expect, it } from 'vitest';
import { processTokenRequestResponse } from '../src/index.js';

// Cases the fuzz tests (fuzz-*.test.ts) found, kept as plain tests once shrunk.

describe('fuzz regressions', () => {
  it('refuses a negative authorization_expiry sent as a number, as it refuses "-1" sent as text', () => {
    for (const authorization_expiry of [-1, '-1']) {
      expect(() =>
        processTokenRequestResponse(
          { data: { authorization_expiry, notifier_url: 'http://a.aa' } },
          'cid',
        ),
      ).toThrow(
        expect.objectContaining({
          code: ErrorCodes.BROKER_INVALID_RESPONSE,
          message: expect.stringContaining('"data.authorization_expiry" must be epoch milliseconds'),
        }),
      );
    }
  });
});
