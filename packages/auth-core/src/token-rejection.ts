// What counts as Upstox saying "this token is dead", and the error callers see for it: shared
// by the manager and the API client.
import { AuthError, BrokerError, ErrorCodes } from '@hft/errors';
import { UpstoxErrorCodes } from './upstox/endpoints.js';

/** True for Upstox's "invalid token" answer: 401 with `UDAPI100050`. */
export function isTokenRejection(error: BrokerError): boolean {
  return error.status === 401 && error.brokerCode === UpstoxErrorCodes.INVALID_TOKEN;
}

/**
 * Maps a failure of a call made with a token: Upstox's rejection becomes AuthError
 * `HFT_AUTH_INVALIDATED` (and `onRejected` runs); anything else passes through unchanged.
 */
export function mapTokenRejection(error: unknown, onRejected: () => void): unknown {
  if (!(error instanceof BrokerError) || !isTokenRejection(error)) return error;
  onRejected();
  return new AuthError(
    ErrorCodes.AUTH_INVALIDATED,
    'Upstox rejected the token (UDAPI100050: expired, revoked or replaced); log in again',
    { cause: error },
  );
}
