// Why a token of one kind cannot be sent: the account holds none of that kind, it expired, or
// Upstox rejected it. The manager's checked read and `hft token` (which reads the record without
// a manager) both ask here, each with its own advice for the fix.
import { AuthError, ErrorCodes } from '@hft/errors';
import { toIstIso } from '@hft/time/core';
import { kindsOf, type TokenKind, type TokenRecord } from './token-record.js';

/** `token` for the daily token, `<kind> token` for the others (for messages). */
export function kindLabel(kind: TokenKind): string {
  return kind === 'daily' ? 'token' : `${kind} token`;
}

/**
 * The `AuthError` saying why `record`'s token of `kind` cannot be used at `now` (expired from
 * `now + skewMs`), or `undefined` when it can. `rejected` says whether Upstox rejected a token;
 * `fix` is the advice that ends each message. Codes: `HFT_AUTH_NOT_AUTHENTICATED` (none of that
 * kind), `HFT_AUTH_EXPIRED`, `HFT_AUTH_INVALIDATED`; `details.kind` names the kind.
 */
export function whyUnusable(
  record: TokenRecord,
  kind: TokenKind,
  now: number,
  skewMs: number,
  rejected: (kind: TokenKind, token: string) => boolean,
  fix: (kind: TokenKind) => string,
): AuthError | undefined {
  const held = record.tokens[kind];
  if (held === undefined) {
    const others = kindsOf(record);
    return new AuthError(
      ErrorCodes.AUTH_NOT_AUTHENTICATED,
      `No ${kind} token is stored for ${record.accountKey} (it holds: ${others.join(', ')}); ${fix(kind)}`,
      { details: { kind, held: others } },
    );
  }
  if (now + skewMs >= held.expiresAt) {
    return new AuthError(
      ErrorCodes.AUTH_EXPIRED,
      `The ${kindLabel(kind)} of ${record.accountKey} expired at ${toIstIso(held.expiresAt)}; ${fix(kind)}`,
      { details: { kind } },
    );
  }
  if (rejected(kind, held.token)) {
    return new AuthError(
      ErrorCodes.AUTH_INVALIDATED,
      `Upstox rejected the ${kindLabel(kind)} of ${record.accountKey} (revoked or replaced); ${fix(kind)}`,
      { details: { kind } },
    );
  }
  return undefined;
}
