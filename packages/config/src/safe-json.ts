/** Keys that could reach an object's prototype when copied or merged: never read, never copied. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Outcome of {@link parseJsonSafe}. */
export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * `JSON.parse` that drops every `__proto__`, `constructor` and `prototype` key at any depth, so
 * no later copy or merge can touch a prototype. Never throws.
 *
 * @param text JSON text (a UTF-8 BOM is tolerated)
 * @returns the value, or the parser's message (which quotes at most a short excerpt of the input;
 *   callers that parse secret-bearing files must not forward it, see {@link describeJsonError})
 */
export function parseJsonSafe(text: string): JsonParseResult {
  try {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return {
      ok: true,
      value: JSON.parse(body, (key, value) => (FORBIDDEN_KEYS.has(key) ? undefined : value)),
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'unparsable JSON' };
  }
}

/**
 * A secret-free description of a JSON syntax error, with line and column when V8 gives a position.
 * V8's "Unexpected token" messages quote an excerpt of the input (possibly part of a client
 * secret): that excerpt is never forwarded.
 *
 * @param message the `error` of a failed {@link parseJsonSafe}
 * @param text the text that failed to parse, used only to turn the position into line and column
 */
export function describeJsonError(message: string, text: string): string {
  if (/^Unexpected end of JSON input/.test(message)) return 'is not valid JSON: the text ends too early';
  const located = /^([A-Za-z ,'"[\]{}:]+?) in JSON at position (\d+)/.exec(message);
  if (located?.[1] !== undefined && located[2] !== undefined) {
    const before = text.slice(0, Number(located[2]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return `is not valid JSON: ${located[1].toLowerCase()} at line ${line}, column ${column}`;
  }
  return 'is not valid JSON: unexpected character';
}

const MAX_SANITIZE_DEPTH = 4;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Copies objects (not arrays) into prototype-less objects holding only their own enumerable
 * string keys, without {@link FORBIDDEN_KEYS}, down to a small depth (deeper than any setting
 * goes). Inherited properties, such as a prototype planted by
 * `Object.assign({}, JSON.parse('{"__proto__":...}'))`, are therefore never read as settings.
 * Other values are returned unchanged.
 */
export function sanitizeInput(value: unknown, depth = 0): unknown {
  if (!isObject(value) || depth >= MAX_SANITIZE_DEPTH) return value;
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (!FORBIDDEN_KEYS.has(key)) copy[key] = sanitizeInput(value[key], depth + 1);
  }
  return copy;
}
