import { isPlainObject } from '@hft/errors/assert';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

// The claims of a compact JWS (header.payload.signature), unverified: only hints are read from
// them. Decoding is Node's own base64url and JSON, so the store side (and `hft token`'s start-up)
// loads no JOSE library for it.
function claims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const payload = parts[1]!;
  if (!BASE64URL.test(payload) || !BASE64URL.test(parts[0]!)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isPlainObject(value) ? value : undefined;
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
