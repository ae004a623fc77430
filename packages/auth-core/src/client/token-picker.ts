// Which token a request sends (reference §12): orders and writes the daily token only; reads the
// first valid kind of the fallback order, skipping tokens and kinds Upstox refused for this
// request; a sandbox client its sandbox token only.
import { AuthError, ErrorCodes } from '@hft/errors';
import { DEFAULT_READ_KINDS } from '../token-kinds.js';
import type { TokenKind } from '../token-record.js';
import type { AccessTokenProvider } from './create-upstox-client.js';

/** A token chosen for one request. */
export interface PickedToken {
  token: string;
  kind: TokenKind;
}

/** What a request has been refused so far. */
export interface PickState {
  /** Tokens Upstox rejected (401) in this request. */
  used: readonly string[];
  /** Kinds Upstox said may not make this call (UDAPI100067). */
  refused: readonly TokenKind[];
}

/**
 * Builds the per-request choice for `source`. The returned function is synchronous (it runs in
 * the request interceptor) and throws the `AuthError` of the preferred kind when none will do.
 */
export function tokenPicker(
  source: AccessTokenProvider,
  readKinds: readonly TokenKind[] | false | undefined,
  sandbox: boolean,
): (read: boolean, forced: TokenKind | undefined, state: PickState) => PickedToken {
  const order = readKinds === false ? (['daily'] as const) : (readKinds ?? DEFAULT_READ_KINDS);
  const byKind = (kind: TokenKind): string => {
    if (kind === 'daily') return source.getAccessToken();
    if (!source.getToken) {
      throw new AuthError(ErrorCodes.AUTH_NOT_AUTHENTICATED, `This token source holds no ${kind} token`);
    }
    return source.getToken(kind);
  };
  const usable = (kind: TokenKind, state: PickState): string | undefined => {
    if (state.refused.includes(kind)) return undefined;
    const token =
      kind === 'daily' ? (source.peekToken?.(kind) ?? peekDaily(source)) : source.peekToken?.(kind);
    return token !== undefined && !state.used.includes(token) ? token : undefined;
  };
  return (read, forced, state) => {
    const only = forced ?? (sandbox ? 'sandbox' : read ? undefined : 'daily');
    if (only !== undefined) {
      const token = byKind(only);
      if (state.used.includes(token) || state.refused.includes(only)) {
        throw new AuthError(ErrorCodes.AUTH_INVALIDATED, `Upstox refused the ${only} token for this request`);
      }
      return { token, kind: only };
    }
    // The usual case, a valid daily token first in the order: one hot read.
    for (const kind of order) {
      const token = usable(kind, state);
      if (token !== undefined) return { token, kind };
    }
    throw noneUsable(order, byKind);
  };
}

function peekDaily(source: AccessTokenProvider): string | undefined {
  try {
    return source.getAccessToken();
  } catch {
    return undefined;
  }
}

/** The preferred kind's own reason, saying that no fallback kind will do either. */
function noneUsable(order: readonly TokenKind[], byKind: (kind: TokenKind) => string): AuthError {
  const [first = 'daily', ...rest] = order;
  try {
    byKind(first);
  } catch (error) {
    if (error instanceof AuthError) {
      if (rest.length === 0) return error;
      return new AuthError(error.code, `${error.message}; no ${rest.join(' or ')} token is usable either`, {
        cause: error,
        details: { ...error.details, tried: [...order] },
      });
    }
    throw error;
  }
  return new AuthError(
    ErrorCodes.AUTH_INVALIDATED,
    `Upstox refused every token kind held (${order.join(', ')}) for this request`,
  );
}
