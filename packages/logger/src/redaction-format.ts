import winston from 'winston';
import type { Redactor } from './redactor.js';
import { mustRedactKeyValue } from './secret-keys.js';
import { REDACTED } from './string-patterns.js';

const SPLAT = Symbol.for('splat');
const MESSAGE = Symbol.for('message');

// Fields this package sets itself from trusted values; everything else is caller data.
const OWN_FIELDS = new Set(['level', 'timestamp']);

type Info = winston.Logform.TransformableInfo & Record<string | symbol, unknown>;

function redactInfo(info: Info, redactor: Redactor): Info {
  for (const key of Object.keys(info)) {
    if (OWN_FIELDS.has(key)) continue;
    const value = info[key];
    if (key === 'message' && typeof value === 'string') info[key] = redactor.redactString(value);
    else info[key] = mustRedactKeyValue(key, value) ? REDACTED : redactor.redact(value);
  }
  // Raw winston callers (`logger.info(msg, meta)`) leave the original arguments under SPLAT,
  // where a later format could pick them up unredacted.
  if (info[SPLAT] !== undefined) info[SPLAT] = redactor.redact(info[SPLAT]);
  if (typeof info[MESSAGE] === 'string') info[MESSAGE] = redactor.redactString(info[MESSAGE]);
  return info;
}

/**
 * A winston format that redacts every entry before any transport sees it: the message string,
 * every other field (deep, see {@link Redactor.redact}), winston's `SPLAT` arguments and an
 * already formatted `MESSAGE`. Install it as the logger-level format (first), so it runs once,
 * before every transport. The entry object itself is rewritten; the caller's metadata objects
 * are copied, never modified.
 *
 * If redaction fails unexpectedly, the entry is reduced to a fixed placeholder message rather
 * than written unredacted or thrown into the caller.
 */
export function redactionFormat(redactor: Redactor): winston.Logform.Format {
  return winston.format((info) => {
    try {
      return redactInfo(info as Info, redactor);
    } catch {
      const safe = info as Info;
      for (const key of Object.keys(safe)) if (!OWN_FIELDS.has(key)) delete safe[key];
      delete safe[SPLAT];
      delete safe[MESSAGE];
      safe.message = '[log entry withheld: redaction failed]';
      return safe;
    }
  })();
}
