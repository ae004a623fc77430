// Records written before credential sets held one access token (the daily one, flat:
// accessToken/issuedAt/expiresAt/source) and maybe an extended token with no times of its own.
// They are read unchanged and turned into a credential set here; the next write stores the new
// shape with a version.
import { isPlainObject } from '@hft/errors/assert';
import { kindExpiry } from './token-kinds.js';

const FLAT_DAILY = ['accessToken', 'issuedAt', 'expiresAt', 'source', 'extendedToken'] as const;

/**
 * Turns a parsed record of any version into the credential-set shape (plain data; the caller
 * then checks it with `assertTokenRecord`). A value that already has `tokens`, or that is not an
 * object, is returned as is. The old extended token gets its real expiry: its JWT `exp`, else one
 * year after the daily token's issue time (the best known time it was sent).
 */
export function upgradeRecord(value: unknown): unknown {
  if (!isPlainObject(value) || value.tokens !== undefined || !('accessToken' in value)) return value;
  const { accessToken, issuedAt, expiresAt, source, extendedToken } = value;
  const upgraded: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(value)) {
    if (!(FLAT_DAILY as readonly string[]).includes(field)) upgraded[field] = v;
  }
  const tokens: Record<string, unknown> = {
    daily: { token: accessToken, issuedAt, expiresAt, source },
  };
  if (typeof extendedToken === 'string' && extendedToken.length > 0 && typeof issuedAt === 'number') {
    tokens.extended = {
      token: extendedToken,
      issuedAt,
      expiresAt: kindExpiry('extended', extendedToken, issuedAt),
      source,
    };
  } else if (extendedToken !== undefined) {
    // Let the check name the field: a non-string extended token is corrupt, not dropped.
    tokens.extended = { token: extendedToken, issuedAt, expiresAt, source };
  }
  upgraded.tokens = tokens;
  return upgraded;
}
