// A request's bucket and host, read from the one table of order paths (order-paths.ts).
import { orderPathRow } from './order-paths.js';

/** Upstox rate-limit bucket of a request. */
export type RequestCategory = 'order' | 'standard';

/** The rate-limit bucket of `path`: `order` for every row of `ORDER_PATHS`, else `standard`. */
export function requestCategory(path: string): RequestCategory {
  return orderPathRow(path)?.bucket ?? 'standard';
}

/** Whether `path` goes to the order host (`api-hft`): the rows of `ORDER_PATHS` marked `orderHost`. */
export function usesOrderHost(path: string): boolean {
  return orderPathRow(path)?.orderHost ?? false;
}

/** Whether `path` carries `X-Algo-Name` (when the client has an `algoName`). */
export function carriesAlgoName(path: string): boolean {
  return orderPathRow(path)?.algoName ?? false;
}

/** The path of a request URL relative to its base (no query, no origin). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  // The usual case, a relative path: no origin to strip, so no regular expression per request.
  if (url.charCodeAt(0) === 47 /* '/' */) {
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  }
  const withoutOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, '');
  const path = withoutOrigin.split('?')[0] ?? '/';
  return path.startsWith('/') ? path : `/${path}`;
}
