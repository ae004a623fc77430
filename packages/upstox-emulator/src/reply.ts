import {
  type ErrorDetail,
  errorBody,
  errorItem,
  type UpstoxErrorCode,
  type UpstoxErrorItem,
} from './upstox-errors.js';

/** A complete HTTP answer produced by a route handler; the server writes it (adding `Date`). */
export interface Reply {
  readonly kind: 'reply';
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** True when `value` is a {@link Reply} (handlers' helpers return either a value or a reply). */
export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'reply';
}

/** JSON answer (`application/json`). */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}

/** HTML answer (`text/html; charset=utf-8`), never cached. */
export function htmlReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return {
    kind: 'reply',
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: html,
  };
}

/** 302 to `location` with an empty body. */
export function redirectReply(location: string): Reply {
  return { kind: 'reply', status: 302, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

/** Upstox error envelope with several entries. */
export function errorsReply(
  status: number,
  items: UpstoxErrorItem[],
  headers: Record<string, string> = {},
): Reply {
  return jsonReply(status, errorBody(items), headers);
}

/** Upstox error envelope with one entry. */
export function errorReply(status: number, code: UpstoxErrorCode, detail: ErrorDetail = {}): Reply {
  return errorsReply(status, [errorItem(code, detail)]);
}
