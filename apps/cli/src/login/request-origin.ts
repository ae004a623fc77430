import type { IncomingMessage } from 'node:http';

/** Why a request was not addressed to the callback server, and the status to answer with. */
export interface MisaddressedRequest {
  status: 400 | 421;
  reason: string;
}

/**
 * The `Host` values the callback server answers: the loopback address it bound with its port,
 * and `localhost` with that port (both also without the port when it is 80). Lower case.
 */
export function servedHosts(boundHost: string, port: number): Set<string> {
  const address = boundHost.includes(':') ? `[${boundHost}]` : boundHost;
  const hosts = new Set([`${address}:${port}`, `localhost:${port}`]);
  if (port === 80) {
    hosts.add(address);
    hosts.add('localhost');
  }
  return hosts;
}

/**
 * Checks that `req` was addressed to this server: exactly one `Host` header naming one of
 * `served` (anything else is how a DNS-rebinding page reaches a loopback server), and a
 * request target in origin form (`/path?query`). Returns the request URL on success, resolved
 * against the `Host` it named, or why it was refused. Never throws.
 */
export function addressedUrl(req: IncomingMessage, served: ReadonlySet<string>): URL | MisaddressedRequest {
  let hostHeaders = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') hostHeaders++;
  }
  if (hostHeaders !== 1) {
    return {
      status: 400,
      reason: hostHeaders === 0 ? 'The request has no Host header.' : 'The request has several Host headers.',
    };
  }
  const host = (req.headers.host ?? '').toLowerCase();
  if (!served.has(host)) {
    return {
      status: 421,
      reason: 'The request is addressed to another host than this login callback server.',
    };
  }
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) {
    return { status: 400, reason: 'The request target must be a path such as /callback?code=...' };
  }
  try {
    return new URL(target, `http://${host}`);
  } catch {
    return { status: 400, reason: 'The request target is not a valid path.' };
  }
}
