import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorCore, RateCategory } from '../core.js';
import type { OrderPath } from '../order-paths.js';
import type { Reply } from '../reply.js';
import type { ApiClass } from '../token-access.js';
import type { IssuedToken } from '../tokens.js';
import type { ResolvedUser } from '../types.js';

/** Media type of HTML form posts and of the token exchange. */
export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
/** Media type of JSON bodies. */
export const JSON_MEDIA_TYPE = 'application/json';

/** Everything a handler needs about one request. */
export interface RouteContext {
  core: EmulatorCore;
  method: string;
  path: string;
  /** Values of `:name` segments of the route pattern (URL-decoded). */
  params: Record<string, string>;
  /** Query parameters (first value of a repeated key). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Lower-case media type of the body without parameters, e.g. `application/json`. */
  mediaType: string | undefined;
  /** Raw body text. */
  rawBody: string;
  /** Parsed body: object for form and valid JSON bodies, undefined otherwise. */
  body: Record<string, unknown> | undefined;
  /** True when the body claimed JSON but did not parse (or was not an object). */
  invalidJson: boolean;
  /** The parsed JSON body whatever its type (arrays included); undefined when not valid JSON. */
  json: unknown;
  /** The client's address as the emulator sees it (`req.socket.remoteAddress`, normalised). */
  origin: string;
  /** The caller's token and user, on routes that require a token. */
  auth?: { token: IssuedToken; user: ResolvedUser };
}

/** `api`: Upstox API; `page`: the emulated Upstox web pages; `control`: the JSON test API. */
export type RouteKind = 'api' | 'page' | 'control';

/** One entry of the route table. */
export interface Route {
  method: string;
  /** Path with `:name` segments, e.g. `/v3/login/auth/token/request/:client_id`. */
  pattern: string;
  kind: RouteKind;
  /**
   * Bearer token required (401 UDAPI100050 otherwise); the class decides, through
   * `TOKEN_ACCESS`, which token kinds may call it.
   */
  auth?: ApiClass;
  /** The `ORDER_PATHS` entry of an order route (static IP, `X-Algo-Name`, order bucket). */
  order?: OrderPath;
  /** Rate-limit category; none = not limited. */
  category?: RateCategory;
  handler: (ctx: RouteContext) => Reply | Promise<Reply>;
}

/** The body field `name` when it is a string; undefined otherwise. */
export function field(body: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = body?.[name];
  return typeof value === 'string' ? value : undefined;
}
