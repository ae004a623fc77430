// Importing a token made elsewhere (My Apps' "Generate", the Analytics tab, a sandbox app, or a
// token pasted from another machine): check its shape and life, check it with a call its kind may
// make, learn whose it is, and build the credential set entry. The write is the manager's.
import { AuthError, BrokerError, ErrorCodes } from '@hft/errors';
import { argumentError } from '@hft/errors/assert';
import type { AxiosInstance } from 'axios';
import { kindToken } from './token-kinds.js';
import {
  accountKey,
  type KindToken,
  RECORD_VERSION,
  type TokenKind,
  type TokenRecord,
  type TokenSource,
} from './token-record.js';
import { isTokenRejection } from './token-rejection.js';
import { fetchProfile } from './upstox/api.js';
import { UpstoxPaths } from './upstox/endpoints.js';
import { expectSuccess, sendUpstox } from './upstox/http.js';
import { isJwt, jwtExpiry, jwtSubject } from './upstox/jwt.js';
import type { UpstoxProfile } from './upstox/validate.js';

/** Options of `TokenManager.importToken`. */
export interface ImportTokenOptions {
  /** How the token was made. Default: `console` for analytics and sandbox, `manual` otherwise. */
  source?: TokenSource;
  /** Check the token with a call its kind may make. Default true; false for offline imports. */
  verify?: boolean;
  /** The user the token must belong to (from `--account`), when known. */
  userId?: string;
}

/** What an import learnt. */
export interface ImportedToken {
  /** The credential-set entry to merge into the account's record. */
  record: TokenRecord;
  /** Whether Upstox accepted the token just now (false with `verify: false`). */
  verified: boolean;
}

/** What {@link prepareImport} needs. */
export interface ImportContext {
  clientId: string;
  now: number;
  /** Live host client (login/account calls). */
  http: AxiosInstance;
  /** Sandbox host client, for sandbox tokens. */
  sandboxHttp: () => AxiosInstance;
}

/** The check `importToken` makes for each kind, in words (for the user to see what was asked). */
export const IMPORT_CHECKS: Readonly<Record<TokenKind, string>> = {
  daily: `GET ${UpstoxPaths.profile}`,
  extended: `GET ${UpstoxPaths.holdings}`,
  analytics: `GET ${UpstoxPaths.ltp}`,
  sandbox: `DELETE ${UpstoxPaths.orderCancel} on the sandbox host (no order id: cancels nothing)`,
};

/** The call a token of `kind` may make, and what it tells about the user. */
async function check(
  kind: TokenKind,
  token: string,
  context: ImportContext,
): Promise<UpstoxProfile | undefined> {
  const auth = { Authorization: `Bearer ${token}`, 'Api-Version': '2.0' };
  switch (kind) {
    case 'daily':
      return fetchProfile(context.http, token);
    case 'extended':
      expectSuccess(
        await sendUpstox(context.http, { method: 'GET', path: UpstoxPaths.holdings, headers: auth }),
      );
      return undefined;
    case 'analytics':
      expectSuccess(
        await sendUpstox(context.http, {
          method: 'GET',
          path: `${UpstoxPaths.ltp}?instrument_key=${encodeURIComponent('NSE_EQ|INE002A01018')}`,
          headers: auth,
        }),
      );
      return undefined;
    case 'sandbox': {
      // The sandbox host serves order APIs only. A cancel without an order id cancels nothing:
      // Upstox checks the token first (401 when it is dead) and then refuses the input (400).
      const response = await sendUpstox(context.sandboxHttp(), {
        method: 'DELETE',
        path: UpstoxPaths.orderCancel,
        headers: auth,
      });
      if (response.status !== 400) expectSuccess(response);
      return undefined;
    }
  }
}

/**
 * Checks a token of `kind` given by the user and builds its credential-set entry.
 * @throws InputError (empty, not a JWT, expired, for another user); AuthError
 *   `HFT_AUTH_INVALIDATED` (Upstox refused it), `HFT_AUTH_WRONG_TOKEN_KIND` (it is another
 *   kind); BrokerError; NetworkError. Messages never contain the token.
 */
export async function prepareImport(
  kind: TokenKind,
  raw: string,
  options: ImportTokenOptions,
  context: ImportContext,
): Promise<ImportedToken> {
  const token = raw.trim();
  if (token.length === 0) throw argumentError('token', 'is missing (standard input was empty)');
  if (/\s/.test(token)) throw argumentError('token', 'contains white space: paste exactly one token');
  if (!isJwt(token)) throw argumentError('token', 'is not a JWT (Upstox tokens are three base64url parts)');
  const exp = jwtExpiry(token);
  if (exp !== undefined && exp <= context.now) {
    throw argumentError('token', `expired at ${new Date(exp).toISOString()}; generate a new ${kind} token`);
  }
  const subject = jwtSubject(token);
  let profile: UpstoxProfile | undefined;
  const verify = options.verify ?? true;
  if (verify) {
    try {
      profile = await check(kind, token, context);
    } catch (error) {
      if (error instanceof BrokerError && isTokenRejection(error)) {
        throw new AuthError(
          ErrorCodes.AUTH_INVALIDATED,
          `Upstox refused this ${kind} token (UDAPI100050: expired, revoked, or not a ${kind} token for this host); nothing was stored`,
          { cause: error, details: { kind } },
        );
      }
      if (error instanceof BrokerError && error.brokerCode === 'UDAPI100067') {
        throw new AuthError(
          ErrorCodes.AUTH_WRONG_TOKEN_KIND,
          `Upstox says this token may not make a ${kind} token's calls (UDAPI100067): it is of another kind; nothing was stored`,
          { cause: error, details: { kind } },
        );
      }
      throw error;
    }
  }
  const userId = profile?.userId ?? subject ?? options.userId;
  if (userId === undefined) {
    throw argumentError('token', 'does not say whose it is: give --account (a user id or account key)');
  }
  const owner = profile?.userId ?? subject;
  if (owner !== undefined && subject !== undefined && owner !== subject) {
    throw argumentError(
      'token',
      `names user ${subject} but Upstox says it is ${owner}'s; nothing was stored`,
    );
  }
  if (owner !== undefined && options.userId !== undefined && owner !== options.userId) {
    throw argumentError(
      'token',
      `belongs to user ${owner}, not to the account chosen (${options.userId}); nothing was stored`,
    );
  }
  const source = options.source ?? (kind === 'analytics' || kind === 'sandbox' ? 'console' : 'manual');
  const entry: KindToken = kindToken(kind, token, source, context.now);
  const record: TokenRecord = {
    version: RECORD_VERSION,
    accountKey: accountKey(context.clientId, userId),
    clientId: context.clientId,
    userId,
    exchanges: profile?.exchanges ?? [],
    products: profile?.products ?? [],
    orderTypes: profile?.orderTypes ?? [],
    tokens: { [kind]: entry },
  };
  if (profile?.userName !== undefined) record.userName = profile.userName;
  if (profile?.email !== undefined) record.email = profile.email;
  if (profile?.broker !== undefined) record.broker = profile.broker;
  return { record, verified: verify };
}
