import { decodeJwt } from 'jose';

/**
 * The `exp` of a JWT access token in epoch ms, or `undefined` when the token is not a JWT or has
 * no numeric `exp`. Upstox calls its tokens opaque; `exp` is only used as a hint that can make the
 * expiry earlier, never later. The signature is not (and cannot be) verified here.
 */
export function jwtExpiry(token: string): number | undefined {
  try {
    const claims = decodeJwt(token);
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
