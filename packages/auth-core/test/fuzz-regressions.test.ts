import { ErrorCodes } from '@hft/errors';
import { tokenExpiry } from '@hft/time';
import { createManualClock } from '@hft/time/testing';
import { describe, expect, it } from 'vitest';
import { DeliveryRejected, processTokenRequestResponse, validateDelivery } from '../src/index.js';
import { createRecordCodec } from '../src/store.js';

// Cases the fuzz tests (fuzz-*.test.ts) found, kept as plain tests once shrunk.

describe('fuzz regressions', () => {
  it('refuses a negative authorization_expiry sent as a number, as it refuses "-1" sent as text', () => {
    for (const authorization_expiry of [-1, '-1']) {
      expect(() =>
        processTokenRequestResponse({ data: { authorization_expiry, notifier_url: 'http://a.aa' } }, 'cid'),
      ).toThrow(
        expect.objectContaining({
          code: ErrorCodes.BROKER_INVALID_RESPONSE,
          message: expect.stringContaining('"data.authorization_expiry" must be epoch milliseconds'),
        }),
      );
    }
  });

  it('answers a delivery whose issued_at is outside the Date range with a 400, not an internal error', () => {
    const now = Date.parse('2026-11-26T17:30:00+05:30');
    for (const issued_at of [-8640000000000001, -9007199254740991]) {
      let caught: unknown;
      try {
        validateDelivery(
          {
            message_type: 'access_token',
            client_id: 'cid',
            user_id: 'A',
            access_token: 'opaque-token',
            token_type: 'Bearer',
            issued_at,
            expires_at: String(tokenExpiry(now)),
          },
          { clientId: 'cid', clock: createManualClock(now) },
        );
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DeliveryRejected);
      expect(caught).toMatchObject({ status: 400, reason: 'issued_at must be epoch milliseconds' });
    }
  });

  it('a stored record that is not JSON gives a StorageError whose cause does not quote the token', () => {
    const text =
      '{"accountKey":"upstox:a:a","clientId":"a","userId":"a","accessToken":xSecretTok3nValue","exchanges":[]}';
    let caught: unknown;
    try {
      createRecordCodec({ backend: 'fuzz' }).decode('upstox:a:a', text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: ErrorCodes.STORAGE_CORRUPT });
    const shown: string[] = [];
    for (let e: unknown = caught; e instanceof Error; e = e.cause) shown.push(`${e.name}: ${e.message}`);
    expect(shown.join('\n')).toContain('not valid JSON');
    expect(shown.join('\n')).not.toContain('SecretTok');
  });
});
