import { ErrorCodes, type HftError, isHftError } from '@hft/errors';
import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Budget of one property: a run count, and a wall-clock cap so the whole fuzz set stays within a
 * few seconds on a busy 2-core machine (an interrupted run passes with the runs it made). On a
 * failure fast-check prints `{ seed, path }`: pass them here as extra parameters to replay it.
 */
export function budget(numRuns: number, extra: fc.Parameters<unknown> = {}): fc.Parameters<unknown> {
  return { numRuns, interruptAfterTimeLimit: 700, ...extra };
}

/** Every secret generated here starts with this, so a message can be grepped for it. */
export const SECRET_MARK = 'QzFuzzSecret';

/** A secret-looking string (token, code, key): the mark and a random tail of token characters. */
export const secretArb: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9._~-]{4,40}$/)
  .map((tail) => `${SECRET_MARK}${tail}`);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-shaped token (unsigned: only `exp` is read, never verified) whose payload holds a secret. */
export function jwtWith(claims: Record<string, unknown>, secret: string): string {
  return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ ...claims, jti: secret })}.${Buffer.from(secret).toString('base64url')}`;
}

/** Any secret-bearing text we may hand a parser: opaque, or a JWT with or without `exp`. */
export const tokenArb: fc.Arbitrary<string> = fc.oneof(
  secretArb,
  fc
    .tuple(fc.integer({ min: 1_600_000_000, max: 2_100_000_000 }), secretArb)
    .map(([exp, s]) => jwtWith({ exp }, s)),
  secretArb.map((s) => jwtWith({ sub: 'U1' }, s)),
);

const WINDOW = 8;

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** The texts an error shows anywhere: its message, JSON, string form, and every cause's message. */
function visibleTexts(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 6; depth += 1) {
    if (current instanceof Error) {
      texts.push(current.message, String(current));
      current = current.cause;
    } else {
      texts.push(String(current));
      current = undefined;
    }
  }
  texts.push(JSON.stringify(error) ?? '');
  return texts;
}

/**
 * Fails when `text` shows any of `secrets`: the whole value, its mark, or any 8-character window
 * of it (a truncated or quoted excerpt is a leak too: V8's JSON errors quote about 10 characters).
 */
export function expectNoSecret(text: string, secrets: readonly string[]): void {
  expect(text).not.toContain(SECRET_MARK);
  for (const secret of secrets) {
    for (let i = 0; i + WINDOW <= secret.length; i += 1) {
      const window = secret.slice(i, i + WINDOW);
      if (text.includes(window)) expect.fail(`error text shows part of a secret: ${JSON.stringify(text)}`);
    }
  }
}

/**
 * Checks what a parser threw: an `HftError` (any subclass) with a known, stable code, and no
 * secret in its message, JSON, string form or cause chain. Returns the error.
 */
export function expectTypedError(error: unknown, secrets: readonly string[] = []): HftError {
  if (!isHftError(error)) {
    expect.fail(
      `untyped exception: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  expect(KNOWN_CODES.has(error.code), `unknown code ${error.code}`).toBe(true);
  expect(error.message.length).toBeGreaterThan(0);
  for (const text of visibleTexts(error)) expectNoSecret(text, secrets);
  return error;
}

/** Runs `fn`; returns its value, or checks with {@link expectTypedError} what it threw. */
export function outcome<T>(
  fn: () => T,
  secrets: readonly string[] = [],
): { ok: true; value: T } | { ok: false; error: HftError } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error: expectTypedError(error, secrets) };
  }
}

/** Any value at all, built once: building `fc.anything()` is costly. */
export const anyValue: fc.Arbitrary<unknown> = fc.anything({ maxDepth: 2, maxKeys: 4 });

/** Mostly `valid`, sometimes a near miss, sometimes any value at all. */
export function mostly<T>(
  valid: fc.Arbitrary<T>,
  ...nearMisses: fc.Arbitrary<unknown>[]
): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 20, arbitrary: valid },
    ...nearMisses.map((arbitrary) => ({ weight: 1, arbitrary })),
    { weight: 1, arbitrary: anyValue },
  );
}

/** A few fields this version does not know (cheap to build and to generate). */
const unknownFields = fc.option(
  fc.dictionary(
    fc.string({ maxLength: 12 }),
    fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant([1, 'a']),
    ),
    { maxKeys: 3 },
  ),
  { freq: 4 },
);

/** An object of `model`'s keys, each sometimes absent, plus sometimes unknown keys. */
export function looseRecord(
  model: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.record(model, { requiredKeys: [] }), unknownFields)
    .map(([known, unknown]) => (unknown ? { ...unknown, ...known } : known));
}
