import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, ErrorCodes, isHftError } from '@hft/errors';
import type { LoopbackTarget } from './loopback.js';
import { escapeHtml, page } from './pages.js';

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

/**
 * The loopback login callback server: binds only the loopback address, answers only the
 * redirect path with GET (404 elsewhere, favicon included; 405 for other methods), and hands
 * exactly one callback URL to `handle`, which verifies state and exchanges the code. A state
 * mismatch, an error callback or a callback without a code answers 400 (nothing is exchanged);
 * a failed exchange answers 502. The server closes after that one callback.
 *
 * @param handle Verifies the callback URL and exchanges the code; resolves with a one-line
 *   success description for the page, or throws.
 */
export async function startCallbackServer(
  target: LoopbackTarget,
  handle: (callbackUrl: URL) => Promise<string>,
): Promise<CallbackServer> {
  let settle!: { resolve: (v: string) => void; reject: (e: unknown) => void };
  const result = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  result.catch(() => {});
  let accepted = false;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const reply = (status: number, html: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'close',
      });
      res.end(html);
    };
    if (url.pathname !== target.path)
      return reply(404, page('Not found', 'This server only receives the Upstox login callback.', false));
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      return reply(405, page('Method not allowed', 'Only GET is accepted here.', false));
    }
    if (accepted)
      return reply(
        409,
        page('Already handled', 'This login was already completed; you can close this tab.', false),
      );
    accepted = true;
    handle(url).then(
      (description) => {
        reply(
          200,
          page(
            'Logged in',
            `${escapeHtml(description)} You can close this tab and return to the terminal.`,
            true,
          ),
        );
        settle.resolve(description);
      },
      (error: unknown) => {
        // A callback that is wrong in itself (foreign state, an error from Upstox, no code) is
        // the browser's request at fault: 400. A failed exchange is an upstream failure: 502.
        const badCallback =
          isHftError(error) &&
          (error.code === ErrorCodes.AUTH_STATE_MISMATCH || error.code === ErrorCodes.AUTH_CALLBACK_INVALID);
        const message = sentence(error instanceof Error ? error.message : String(error));
        reply(
          badCallback ? 400 : 502,
          page('Login failed', `${escapeHtml(message)} Return to the terminal for details.`, false),
        );
        settle.reject(error);
      },
    );
  });
  server.keepAliveTimeout = 1000;

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

  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 200).unref();
    });
  result.finally(() => void close()).catch(() => {});

  return {
    port: (server.address() as AddressInfo).port,
    result,
    abort(reason) {
      settle.reject(reason);
    },
    close,
  };
}
