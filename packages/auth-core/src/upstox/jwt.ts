import { decodeJwt, type JWTPayload } from 'jose';

function claims(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

function epochMsClaim(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined;
}

/**
 * The `exp` of a JWT access token in epoch ms, or `undefined` when the token is not a JWT or has
 * no numeric `exp`. Upstox calls its tokens opaque; `exp` is only used as a hint that can make the
 * expiry earlier, never later. The signature is not (and cannot be) verified here.
 */
export function jwtExpiry(token: string): number | undefined {
  return epochMsClaim(claims(token)?.exp);
}

/** The `iat` of a JWT in epoch ms, or `undefined` (not a JWT, or no numeric `iat`). Unverified. */
export function jwtIssuedAt(token: string): number | undefined {
  return epochMsClaim(claims(token)?.iat);
}

/** The `sub` of a JWT (Upstox puts the user id there), or `undefined`. Unverified. */
export function jwtSubject(token: string): string | undefined {
  const sub = claims(token)?.sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
}

/** Whether `token` has the shape of a JWT (three base64url parts, a decodable payload). */
export function isJwt(token: string): boolean {
  return claims(token) !== undefined;
}
