import { isSecretKey, mustRedactKeyValue } from './secret-keys.js';

/** The text that replaces every redacted value. */
export const REDACTED = '[REDACTED]';

// Token characters of an Authorization header value (JWTs, base64, opaque tokens); stops at
// whitespace, quotes and the punctuation that usually ends a value inside prose or JSON.
const BEARER = /\b(Bearer)(\s+)([^\s"'`,;)}\]]+)/gi;

// Header lines in a raw HTTP dump, e.g. `Authorization: Basic ...`, `Cookie: a=b`.
const HEADER_LINE = /\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key)(\s*:\s*)([^\r\n]+)/gi;

// `scheme://user:password@host`: the password part.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)([^\s/@]+)@/gi;

// `name=value` in query strings, form bodies and prose; the value is redacted when the name is
// a secret key (see secret-keys.ts). `code=` is always redacted here: in a URL or form it is the
// OAuth authorization code.
const KEY_VALUE = /(^|[?&#;\s"'`(,])([A-Za-z0-9_.[\]-]{1,64})=([^&#\s"'`;,)]*)/g;

// `"name": "value"` or `"name": 123` inside JSON text (a response body logged as a string).
const JSON_MEMBER = /"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g;

/**
 * Redacts secrets that are recognisable without being registered: `Bearer <token>`,
 * `Authorization:`/`Cookie:` header lines, passwords in URLs, and values of secret-named
 * query/form parameters and JSON members. Pure; returns `text` unchanged when nothing matched.
 */
export function redactKnownPatterns(text: string): string {
  let out = text;
  if (/bearer/i.test(out)) {
    out = out.replace(BEARER, (match, scheme: string, gap: string, value: string) =>
      value === REDACTED ? match : `${scheme}${gap}${REDACTED}`,
    );
  }
  if (/authorization|cookie|api-key/i.test(out)) {
    out = out.replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
  }
  if (out.includes('://')) {
    out = out.replace(URL_USERINFO, (_m, head: string) => `${head}${REDACTED}@`);
  }
  if (out.includes('=')) {
    out = out.replace(KEY_VALUE, (match, lead: string, name: string, value: string) =>
      value.length > 0 && value !== REDACTED && isSecretKey(name) ? `${lead}${name}=${REDACTED}` : match,
    );
  }
  if (out.includes('"')) {
    out = out.replace(JSON_MEMBER, (match, name: string, sep: string, literal: string) =>
      mustRedactKeyValue(name, parseLiteral(literal)) ? `"${name}"${sep}"${REDACTED}"` : match,
    );
  }
  return out;
}

function parseLiteral(literal: string): unknown {
  try {
    return JSON.parse(literal);
  } catch {
    // Not valid JSON after all (e.g. `1e`): treat as an opaque value, which is redacted.
    return literal;
  }
}
