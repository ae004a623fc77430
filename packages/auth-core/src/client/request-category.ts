/** Upstox rate-limit bucket of a request. */
export type RequestCategory = 'order' | 'standard';

// Order placement APIs share one budget (place, modify, cancel, multi-order, GTT, exit-all).
const ORDER_PATH = /^\/v[23]\/(order\/(place|modify|cancel|multi\/)|gtt\/|order\/positions\/exit)/;
// The SDKs send exactly these to the low-latency order host.
const ORDER_HOST_PATH = /^\/v[23]\/order\/(place|modify|cancel)(\/|$|\?)/;

/** The rate-limit bucket of `path`. */
export function requestCategory(path: string): RequestCategory {
  return ORDER_PATH.test(path) ? 'order' : 'standard';
}

/** Whether `path` goes to the order host (`api-hft`). */
export function usesOrderHost(path: string): boolean {
  return ORDER_HOST_PATH.test(path);
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
