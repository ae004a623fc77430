import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, ErrorCodes, isHftError } from '@hft/errors';
import type { LoopbackTarget } from './loopback.js';
import { escapeHtml, page } from './pages.js';
import { addressedUrl, servedHosts } from './request-origin.js';

/** `text` ending with a full stop, so that another sentence can follow it. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/** A running callback server. */
export interface CallbackServer {
  /** The port actually bound. */
  readonly port: number;
  /**
   * Resolves with what `handle` returned for the one accepted callback; rejects with the error
   * that callback produced (the page already told the browser), or on `abort`.
   */
  readonly result: Promise<string>;
  /** Stops waiting (timeout, Ctrl-C): the server closes and `result` rejects with `reason`. */
  abort(reason: Error): void;
  close(): Promise<void>;
}

/** Optional behaviour of {@link startCallbackServer}. */
export interface CallbackServerOptions {
  /**
   * Told when a callback is ignored because it does not belong to this login (wrong or missing
   * state): the server answered 400 and keeps waiting. Never receives the callback URL (it may
   * carry a code).
   */
  onIgnored?: (reason: string) => void;
}

/**
 * The loopback login callback server: binds only the loopback address and answers only
 * requests whose `Host` names that address and port, or `localhost` and that port (421 for any
 * other `Host`, malformed ones included; 400 when there is none or several: DNS rebinding), only
 * on the redirect path (404 elsewhere, favicon included) and only GET (405).
 *
 * Callbacks are handed to `handle` one at a time, which verifies state and exchanges the code.
 * A callback whose state is wrong or missing (`HFT_AUTH_STATE_MISMATCH`) is not this login's: it
 * answers 400 and the server keeps waiting, so that no web page or local process can end a
 * login by sending a forged callback. The first callback with the right state settles `result`:
 * 200 on success; 400 for an error callback or one without a code; 502 for a failed exchange.
 * The server closes after that. No request, however malformed, stops or crashes it.
 *
 * @param handle Verifies the callback URL and exchanges the code; resolves with a one-line
 *   success description for the page, or throws.
 */
export async function startCallbackServer(
  target: LoopbackTarget,
  handle: (callbackUrl: URL) => Promise<string>,
  options: CallbackServerOptions = {},
): Promise<CallbackServer> {
  let settle!: { resolve: (v: string) => void; reject: (e: unknown) => void };
  const result = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  result.catch(() => {});
  let settled = false;
  // Callbacks wait for the one before them: a forged callback being refused never makes the
  // real one that follows it look like a duplicate.
  let queue = Promise.resolve();
  let served: ReadonlySet<string> = new Set();

  const onCallback = async (url: URL, reply: (status: number, html: string) => void) => {
    if (settled)
      return reply(
        409,
        page('Already handled', 'This login was already completed; you can close this tab.', false),
      );
    let description: string;
    try {
      description = await handle(url);
    } catch (error) {
      if (settled) return reply(409, page('Already handled', 'This login has already ended.', false));
      if (isHftError(error) && error.code === ErrorCodes.AUTH_STATE_MISMATCH) {
        options.onIgnored?.(error.message);
        return reply(
          400,
          page(
            'Not this login',
            'This callback does not carry the state of the login in progress, so it was ignored and the login is still waiting. Log in through the URL that hft login printed.',
            false,
          ),
        );
      }
      settled = true;
      // A callback that is wrong in itself (an error from Upstox, no code) is the browser's
      // request at fault: 400. A failed exchange is an upstream failure: 502.
      const badCallback = isHftError(error) && error.code === ErrorCodes.AUTH_CALLBACK_INVALID;
      const message = sentence(error instanceof Error ? error.message : String(error));
      reply(
        badCallback ? 400 : 502,
        page('Login failed', `${escapeHtml(message)} Return to the terminal for details.`, false),
      );
      settle.reject(error);
      return;
    }
    if (settled) return reply(409, page('Already handled', 'This login has already ended.', false));
    settled = true;
    reply(
      200,
      page(
        'Logged in',
        `${escapeHtml(description)} You can close this tab and return to the terminal.`,
        true,
      ),
    );
    settle.resolve(description);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, html: string) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'close',
      });
      res.end(html);
    };
    try {
      const url = addressedUrl(req, served);
      if (!(url instanceof URL)) return reply(url.status, page('Bad request', escapeHtml(url.reason), false));
      if (url.pathname !== target.path)
        return reply(404, page('Not found', 'This server only receives the Upstox login callback.', false));
      if (req.method !== 'GET') {
        res.setHeader('allow', 'GET');
        return reply(405, page('Method not allowed', 'Only GET is accepted here.', false));
      }
      queue = queue
        .then(() => onCallback(url, reply))
        .catch(() => reply(500, page('Error', 'Internal error.', false)));
    } catch {
      // Whatever a request does, it must not take the server (and the login) down with it.
      reply(500, page('Error', 'Internal error.', false));
    }
  });
  server.keepAliveTimeout = 1000;
  // A browser sends the callback at once; a connection that dawdles is not one.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new AuthError(
            ErrorCodes.AUTH_CALLBACK_INVALID,
            `Port ${target.port} on ${target.host} is in use, so the login callback cannot be received. Stop what uses it, or register another redirect URI port and set UPSTOX_REDIRECT_URI.`,
            { cause: error },
          ),
        );
      } else reject(error);
    });
    server.listen(target.port, target.host, () => resolve());
  });

  const port = (server.address() as AddressInfo).port;
  served = servedHosts(target.host, port);

  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 200).unref();
    });
  result.finally(() => void close()).catch(() => {});

  return {
    port,
    result,
    abort(reason) {
      settled = true;
      settle.reject(reason);
    },
    close,
  };
}
