/**
 * Replaces every occurrence of a secret (the URL's password) in `error`'s message and in the
 * messages of its causes, in place, and returns it. Redis and Node errors do not normally quote
 * the password; this is the belt to that pair of braces, since these messages reach logs.
 */
export function scrubError<E>(error: E, secrets: readonly string[]): E {
  if (secrets.length === 0) return error;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const scrubbed = scrubText(current.message, secrets);
    if (scrubbed !== current.message) {
      Object.defineProperty(current, 'message', {
        value: scrubbed,
        writable: true,
        configurable: true,
        enumerable: false,
      });
      if (typeof current.stack === 'string') current.stack = scrubText(current.stack, secrets);
    }
    current = current.cause;
  }
  return error;
}

/** `text` with every secret replaced by `***`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}
