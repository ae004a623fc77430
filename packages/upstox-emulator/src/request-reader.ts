import type { IncomingMessage } from 'node:http';
import { FORM_MEDIA_TYPE, JSON_MEDIA_TYPE } from './routes/context.js';

/** Largest request body the emulator reads (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request body as read and parsed. */
export interface ReadBody {
  raw: string;
  mediaType: string | undefined;
  parsed: Record<string, unknown> | undefined;
  invalidJson: boolean;
  /** The parsed JSON value whatever its type (arrays included); undefined when not valid JSON. */
  json: unknown;
  tooLarge: boolean;
}

/** First value of each key (a repeated key keeps its first value). */
export function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) if (!(key in out)) out[key] = value;
  return out;
}

/** Lower-case media type without parameters (`application/json; charset=utf-8` -> `application/json`). */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** Reads the whole body (up to {@link MAX_BODY_BYTES}) and parses JSON and form bodies. */
export async function readBody(req: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      tooLarge = true;
      break;
    }
    chunks.push(chunk);
  }
  const raw = tooLarge ? '' : Buffer.concat(chunks).toString('utf8');
  const mediaType = mediaTypeOf(req.headers['content-type']);
  let parsed: Record<string, unknown> | undefined;
  let invalidJson = false;
  let json: unknown;
  if (mediaType === FORM_MEDIA_TYPE) {
    parsed = firstValues(new URLSearchParams(raw));
  } else if (mediaType === JSON_MEDIA_TYPE && raw.length > 0) {
    try {
      const value: unknown = JSON.parse(raw);
      json = value;
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        parsed = value as Record<string, unknown>;
      else invalidJson = true;
    } catch {
      invalidJson = true;
    }
  }
  return { raw, mediaType, parsed, invalidJson, json, tooLarge };
}
