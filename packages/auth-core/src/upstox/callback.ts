import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError, ErrorCodes } from '@hft/errors';
import { assertNonEmptyString, invalidArgument } from '@hft/errors/assert';

/** What a valid redirect carried. */
export interface CallbackResult {
  /** The single-use authorization code (secret). */
  code: string;
  /** The `state` echoed by Upstox, when there was one. */
  state?: string;
}

/** Constant-time string comparison (hashes first, so unequal lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Validates the redirect Upstox sent the browser to and extracts the code.
 *
 * @param url The full redirect URL (or only its query string, `?code=...&state=...`).
 * @param expectedState The `state` sent with the login URL; when given, the callback must carry
 *   the same value (compared in constant time). Pass `undefined` only for flows without state.
 * @throws AuthError `HFT_AUTH_STATE_MISMATCH` when state is missing or different;
 *   `HFT_AUTH_CALLBACK_INVALID` when the URL carries an `error` parameter or no code.
 * @throws InputError when `url` is not a URL.
 */
export function parseCallback(url: string | URL, expectedState: string | undefined): CallbackResult {
  let params: URLSearchParams;
  if (url instanceof URL) params = url.searchParams;
  else {
    assertNonEmptyString(url, 'url');
    if (url.startsWith('?')) params = new URLSearchParams(url);
    else {
      try {
        params = new URL(url).searchParams;
      } catch {
        throw invalidArgument('url', 'the full redirect URL or its query string');
      }
    }
  }
  const state = params.get('state') ?? undefined;
  if (expectedState !== undefined) {
    if (state === undefined || !safeEqual(state, expectedState)) {
      throw new AuthError(
        ErrorCodes.AUTH_STATE_MISMATCH,
        state === undefined
          ? 'The callback carries no state although one was sent: it may not come from this login. Start the login again.'
          : 'The callback state does not match the one sent: it may not come from this login. Start the login again.',
      );
    }
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    throw new AuthError(
      ErrorCodes.AUTH_CALLBACK_INVALID,
      `Upstox redirected with an error: ${truncate(error)}${description ? ` (${truncate(description)})` : ''}`,
    );
  }
  const code = params.get('code');
  if (code === null || code.length === 0) {
    throw new AuthError(ErrorCodes.AUTH_CALLBACK_INVALID, 'The callback URL carries no authorization code');
  }
  return state === undefined ? { code } : { code, state };
}

function truncate(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
