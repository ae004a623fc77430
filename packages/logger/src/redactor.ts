import { argumentError, describeType, invalidArgument } from '@hft/errors/assert';
import { isHttpExchangeLike, summarizeHttpError } from './http-error-summary.js';
import { mustRedactKeyValue } from './secret-keys.js';
import { REDACTED, redactKnownPatterns } from './string-patterns.js';

/**
 * Shortest value {@link Redactor.addSecret} accepts (4 characters). Registering `"a"` would
 * blank out every `a` in every log line; real secrets (client secrets, tokens, 6-character
 * auth codes, keys) are all longer.
 */
export const MIN_SECRET_LENGTH = 4;

/** Nesting depth after which metadata is cut off with `[Truncated]`. */
export const MAX_REDACTION_DEPTH = 12;

const ERROR_FIELDS_DONE = new Set(['name', 'message', 'stack', 'code', 'cause']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// How a secret may appear once embedded: raw, percent-encoded in a URL, form-encoded in a body,
// or escaped inside JSON text.
function spellings(secret: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, encodeURIComponent(secret), form, json])];
}

// Defined rather than assigned so a key named `__proto__` stays a plain own property.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isErrorLike(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function constructorName(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return 'Object';
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'Object';
}

// Sockets, HTTP requests and other emitters are huge, cyclic and full of headers; never walked.
function isLiveResource(value: object): boolean {
  if (constructorName(value) === 'Object') return false;
  const v = value as { pipe?: unknown; on?: unknown; _events?: unknown };
  return typeof v.pipe === 'function' || (typeof v.on === 'function' && '_events' in v);
}

/**
 * Replaces secrets with `[REDACTED]` in strings and in deep copies of any value.
 *
 * Two mechanisms, both always on:
 * - **registered values** ({@link Redactor.addSecret}): every occurrence anywhere in any string
 *   (raw, percent-encoded, form-encoded or JSON-escaped), including object keys;
 * - **recognised shapes**: values under secret key names (see `SECRET_KEY_NAMES`), `Bearer <x>`,
 *   `Authorization:`/`Cookie:` header lines, URL passwords, secret-named query/form parameters
 *   and JSON members inside strings.
 *
 * Copies are JSON-safe (bigint becomes a string, Dates ISO strings, buffers a byte count,
 * cycles `[Circular]`), errors become plain objects (name, message, code, stack, own fields,
 * cause chain), and axios-like errors become a short summary. Inputs are never modified.
 * One Redactor may be shared by several loggers (a shared secret registry).
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #matcher: RegExp | null = null;
  #stale = false;

  /**
   * @param secrets values to register at once, as with {@link Redactor.addSecret}.
   * @throws InputError when a value is not a string or is shorter than {@link MIN_SECRET_LENGTH}.
   */
  constructor(secrets: Iterable<string | null | undefined> = []) {
    for (const secret of secrets) this.addSecret(secret);
  }

  /**
   * Registers a secret value: from now on every occurrence of it is redacted, wherever it
   * appears. `undefined`, `null` and `''` are ignored (nothing to hide), so optional secrets
   * such as an absent extended token can be passed straight through.
   *
   * @throws InputError (`HFT_INPUT_INVALID`, argument `secret`) when `value` is not a string,
   *   or is shorter than {@link MIN_SECRET_LENGTH} characters (it would redact ordinary text).
   */
  addSecret(value: string | null | undefined): void {
    if (value === undefined || value === null || value === '') return;
    if (typeof value !== 'string') {
      throw invalidArgument('secret', 'a string', { got: describeType(value) });
    }
    if (value.length < MIN_SECRET_LENGTH) {
      throw argumentError(
        'secret',
        `must be at least ${MIN_SECRET_LENGTH} characters long to be redacted (got ${value.length}); ` +
          'a shorter value would redact ordinary text',
      );
    }
    for (const spelling of spellings(value)) {
      if (!this.#secrets.has(spelling)) {
        this.#secrets.add(spelling);
        this.#stale = true;
      }
    }
  }

  /** True when `value` was registered with {@link Redactor.addSecret}. */
  hasSecret(value: string): boolean {
    return this.#secrets.has(value);
  }

  /** Returns `text` with registered secrets and recognised secret shapes replaced by `[REDACTED]`. */
  redactString(text: string): string {
    const matcher = this.#getMatcher();
    const out = matcher === null ? text : text.replace(matcher, REDACTED);
    return redactKnownPatterns(out);
  }

  /**
   * Returns a redacted, JSON-safe deep copy of `value` (see the class description).
   * Never throws: a property whose getter throws becomes `[Unreadable]`.
   */
  redact(value: unknown): unknown {
    return this.#walk(value, 0, new Set());
  }

  #getMatcher(): RegExp | null {
    if (this.#stale) {
      // Longest first, so a secret that contains another registered secret is hidden whole.
      const sorted = [...this.#secrets].sort((a, b) => b.length - a.length);
      this.#matcher = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
      this.#stale = false;
    }
    return this.#matcher;
  }

  #walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
    switch (typeof value) {
      case 'string':
        return this.redactString(value);
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return this.redactString(value.toString());
      case 'symbol':
        return this.redactString(value.toString());
      case 'function':
        return `[Function ${value.name === '' ? 'anonymous' : this.redactString(value.name)}]`;
    }
    if (value === null) return null;
    const obj = value as object;
    if (ancestors.has(obj)) return '[Circular]';
    if (depth >= MAX_REDACTION_DEPTH) return '[Truncated]';
    ancestors.add(obj);
    try {
      return this.#walkObject(obj, depth + 1, ancestors);
    } catch {
      return '[Unreadable]';
    } finally {
      ancestors.delete(obj);
    }
  }

  #walkObject(obj: object, depth: number, ancestors: Set<object>): unknown {
    if (isHttpExchangeLike(obj)) return summarizeHttpError(obj, (s) => this.redactString(s));
    if (isErrorLike(obj)) return this.#walkError(obj, depth, ancestors);
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (obj instanceof URL) return this.redactString(obj.href);
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return `[Binary ${obj.byteLength} bytes]`;
    if (Array.isArray(obj)) return obj.map((item: unknown) => this.#walk(item, depth, ancestors));
    if (obj instanceof Set) return [...obj].map((item: unknown) => this.#walk(item, depth, ancestors));
    if (obj instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of obj) {
        const name = typeof key === 'string' ? key : String(this.#walk(key, depth, ancestors));
        setOwn(
          out,
          this.redactString(name),
          this.#entry(name, () => item, depth, ancestors),
        );
      }
      return out;
    }
    if (isLiveResource(obj)) return `[${constructorName(obj)}]`;
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return this.#walk(toJSON.call(obj), depth, ancestors);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      const read = () => (obj as Record<string, unknown>)[key];
      setOwn(out, this.redactString(key), this.#entry(key, read, depth, ancestors));
    }
    return out;
  }

  #entry(key: string, read: () => unknown, depth: number, ancestors: Set<object>): unknown {
    let item: unknown;
    try {
      item = read();
    } catch {
      return '[Unreadable]';
    }
    return mustRedactKeyValue(key, item) ? REDACTED : this.#walk(item, depth, ancestors);
  }

  #walkError(error: Error, depth: number, ancestors: Set<object>): Record<string, unknown> {
    const bag = error as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const at = (key: string) => () => bag[key];
    setOwn(out, 'name', typeof error.name === 'string' ? this.redactString(error.name) : 'Error');
    setOwn(out, 'message', this.redactString(String(error.message)));
    if (bag.code !== undefined) setOwn(out, 'code', this.#entry('code', at('code'), depth, ancestors));
    for (const key of Object.keys(error)) {
      if (ERROR_FIELDS_DONE.has(key)) continue;
      setOwn(out, this.redactString(key), this.#entry(key, at(key), depth, ancestors));
    }
    // HftError keeps `details` non-enumerable so JSON.stringify never spills it; it is
    // secret-free by contract and still redacted here, and it is what makes a log line useful.
    const details = Object.getOwnPropertyDescriptor(error, 'details');
    if (details !== undefined && !details.enumerable && typeof details.value === 'object') {
      setOwn(out, 'details', this.#walk(details.value, depth, ancestors));
    }
    if (error instanceof AggregateError && !Object.hasOwn(out, 'errors')) {
      setOwn(out, 'errors', this.#walk(error.errors, depth, ancestors));
    }
    if (typeof error.stack === 'string') setOwn(out, 'stack', this.redactString(error.stack));
    if (error.cause !== undefined) setOwn(out, 'cause', this.#walk(error.cause, depth, ancestors));
    return out;
  }
}
