import winston from 'winston';

const MESSAGE = Symbol.for('message');

/** The fields of one entry as this package writes them (after redaction). */
interface Entry {
  timestamp?: unknown;
  level: string;
  name?: unknown;
  message: unknown;
  meta?: unknown;
}

function hasContent(meta: unknown): boolean {
  if (meta === undefined || meta === null) return false;
  return typeof meta !== 'object' || Object.keys(meta).length > 0;
}

function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    // Redacted copies are JSON-safe; this only guards against a custom format upstream.
    return '"[unserializable]"';
  }
}

// One entry must stay one line, and a message must not be able to forge another entry or
// drive the terminal: line breaks and control characters are shown escaped.
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * Human-readable console line:
 * `2026-03-02T04:00:00.000Z INFO  [name] message {"json":"meta"}`. The name and meta parts are
 * left out when empty; control characters in the message are escaped so an entry is one line.
 */
export function consoleLineFormat(): winston.Logform.Format {
  return winston.format((info) => {
    const entry = info as unknown as Entry;
    const parts = [String(entry.timestamp), entry.level.toUpperCase().padEnd(5)];
    if (typeof entry.name === 'string' && entry.name !== '') parts.push(`[${oneLine(entry.name)}]`);
    parts.push(oneLine(String(entry.message)));
    if (hasContent(entry.meta)) parts.push(toJson(entry.meta));
    (info as Record<symbol, unknown>)[MESSAGE] = parts.join(' ');
    return info;
  })();
}

/**
 * JSON line for files: `{"timestamp","level","name"?,"message","meta"?}` in that order; `meta`
 * holds the call's metadata nested (never merged over the fixed fields).
 */
export function jsonLineFormat(): winston.Logform.Format {
  return winston.format((info) => {
    const entry = info as unknown as Entry;
    const line: Record<string, unknown> = { timestamp: entry.timestamp, level: entry.level };
    if (typeof entry.name === 'string' && entry.name !== '') line.name = entry.name;
    line.message = entry.message;
    if (hasContent(entry.meta)) line.meta = entry.meta;
    (info as Record<symbol, unknown>)[MESSAGE] = toJson(line);
    return info;
  })();
}
