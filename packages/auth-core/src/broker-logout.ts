// The broker half of a logout: revoke the token at Upstox when that can still mean something,
// and say what Upstox answered. The local delete is the manager's.
import { ErrorCodes, type HftError, isHftError } from '@hft/errors';
import type { AxiosInstance } from 'axios';
import type { LoggerLike } from './logger-like.js';
import type { LogoutResult } from './token-manager-options.js';
import type { TokenRecord } from './token-record.js';
import { mapTokenRejection } from './token-rejection.js';
import { revokeToken } from './upstox/api.js';

/** What {@link revokeAtBroker} needs to know about the token. */
export interface RevokeContext {
  http: AxiosInstance;
  logger: LoggerLike;
  /** The account's record; its daily token is what Upstox's logout revokes. */
  record: TokenRecord | undefined;
  /** Already known rejected by Upstox. */
  invalidated: boolean;
  /** Not sending anything (`logout --local`). */
  skip: boolean;
  now: number;
  /** Upstox answered that the token is dead. */
  onRejected: () => void;
}

/** Revokes `record`'s daily token at Upstox; never throws for a broker failure (it is reported). */
export async function revokeAtBroker(
  context: RevokeContext,
): Promise<Pick<LogoutResult, 'broker' | 'error'>> {
  const { record } = context;
  const daily = record?.tokens.daily;
  if (daily && context.invalidated) return { broker: 'already-invalid' };
  // An expired token is dead at Upstox too: revoking it would only earn a 401.
  if (!record || !daily || context.skip || context.now >= daily.expiresAt) return { broker: 'skipped' };
  try {
    await revokeToken(context.http, daily.token);
    return { broker: 'revoked' };
  } catch (error) {
    const reported = mapTokenRejection(error, context.onRejected);
    // Upstox says the token is already revoked or replaced: what logout wanted.
    if (isHftError(reported) && reported.code === ErrorCodes.AUTH_INVALIDATED)
      return { broker: 'already-invalid' };
    const failure = (isHftError(reported) ? reported : undefined) as HftError | undefined;
    context.logger.warn('broker logout failed; removing the local token anyway', {
      account: record.accountKey,
      code: failure?.code,
    });
    return failure === undefined ? { broker: 'failed' } : { broker: 'failed', error: failure };
  }
}
