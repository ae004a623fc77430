// The names of the store's files: the default file, per-account files, lock files, moved-aside files.
import { parseAccountKey } from '@hft/auth-core/store';

/** File name of the default account: the name the original Python module used. */
export const DEFAULT_TOKEN_FILE = 'upstox_token.json';

/** Sub-directory of the token dir that holds lock files. */
export const LOCK_DIR = '.locks';

/** Sub-directory of the token dir that holds the listing cache (see summary-cache.ts). */
export const LISTING_DIR = '.listing';

const NAMED_FILE = /^upstox_token\.([A-Za-z0-9_%-]+)\.([A-Za-z0-9_%-]+)\.json$/;

/**
 * Encodes one key segment for a file name: ASCII letters, digits, `_` and `-` stay, every other
 * UTF-8 byte becomes `%XX`. The dot (the segment separator) is always encoded, so a name splits
 * back into exactly the segments it was made of, and no name can climb out of the directory.
 */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[.!~*'()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function decodeSegment(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

/** The file name of a non-default account: `upstox_token.<client>.<user>.json`. */
export function namedFileFor(clientId: string, userId: string): string {
  return `upstox_token.${encodeSegment(clientId)}.${encodeSegment(userId)}.json`;
}

/**
 * What a directory entry is to the store: the default file, the file of one account (with the
 * key its name spells), or nothing of ours (temp files, moved-aside files, locks...).
 */
export type TokenFileName = { kind: 'default' } | { kind: 'named'; key: string } | { kind: 'other' };

/** Classifies a directory entry name (see {@link TokenFileName}). */
export function classifyFileName(name: string): TokenFileName {
  if (name === DEFAULT_TOKEN_FILE) return { kind: 'default' };
  const match = NAMED_FILE.exec(name);
  if (!match) return { kind: 'other' };
  // Segments without `%` are spelt as encodeSegment spells them (it leaves these characters
  // alone): no decoding or re-encoding to check (a listing classifies every file).
  if (!name.includes('%')) {
    const key = `upstox:${match[1]}:${match[2]}`;
    return parseAccountKey(key) ? { kind: 'named', key } : { kind: 'other' };
  }
  const clientId = decodeSegment(match[1]!);
  const userId = decodeSegment(match[2]!);
  if (clientId === undefined || userId === undefined) return { kind: 'other' };
  // Only the canonical spelling counts, so one key never maps to two names.
  if (namedFileFor(clientId, userId) !== name) return { kind: 'other' };
  const key = `upstox:${clientId}:${userId}`;
  return parseAccountKey(key) ? { kind: 'named', key } : { kind: 'other' };
}

/** File name of the lock of `key` inside {@link LOCK_DIR}. */
export function lockFileFor(key: string): string {
  return `${encodeSegment(key)}.lock`;
}

/**
 * Suffix for a file moved aside: `corrupt-20261126T220000.123Z` (UTC, no `:` so the name is
 * valid on every file system).
 */
export function corruptSuffix(epochMs: number): string {
  return `corrupt-${new Date(epochMs).toISOString().replace(/[-:]/g, '')}`;
}
