import { UsageError } from '../exit-codes.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Where the callback server must listen for `redirectUri`. */
export interface LoopbackTarget {
  /** Address to bind (`127.0.0.1` or `::1`). */
  host: string;
  port: number;
  /** The path Upstox redirects to. */
  path: string;
}

/**
 * Checks that the redirect URI points at this machine's loopback interface (the only safe place
 * for a local callback server) and says where to listen.
 * @throws UsageError for a non-loopback host, https, or a missing port.
 */
export function loopbackTarget(redirectUri: string): LoopbackTarget {
  const url = new URL(redirectUri);
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new UsageError(
      `The redirect URI ${url.origin}${url.pathname} is not on this machine's loopback interface, so hft cannot receive the login callback. Register a redirect URI like http://127.0.0.1:5055/callback on your Upstox app and set UPSTOX_REDIRECT_URI, or use: hft login --paste`,
    );
  }
  if (url.protocol !== 'http:') {
    throw new UsageError(
      `The loopback redirect URI must use http:// (got ${url.protocol}//); hft serves no TLS on 127.0.0.1`,
    );
  }
  const port = url.port === '' ? 80 : Number(url.port);
  const host = url.hostname === '[::1]' || url.hostname === '::1' ? '::1' : '127.0.0.1';
  return { host, port, path: url.pathname || '/' };
}
