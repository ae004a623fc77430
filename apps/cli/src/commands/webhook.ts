import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotifierHandler } from '@hft/auth-core';
import type { CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';

interface WebhookServeOptions {
  port: number;
  host: string;
  path?: string;
  allowFrom?: string;
}

/**
 * `hft webhook serve`: runs the notifier webhook receiver (Upstox POSTs the approved token of a
 * v3 access token request here) and `GET /healthz` on the same server. Each delivery's outcome
 * is logged (never the token). Stops on SIGINT/SIGTERM.
 */
export async function run(ctx: CommandContext, options: WebhookServeOptions): Promise<number> {
  if (options.path !== undefined && !options.path.startsWith('/'))
    throw new UsageError('--path must start with /');
  const { config } = await ctx.config();
  const clientId = config.credentials.clientId;
  if (!clientId)
    throw new UsageError(
      'hft webhook serve needs UPSTOX_CLIENT_ID (deliveries for other clients are refused)',
    );
  const store = await ctx.store();
  const logger = await ctx.logger();
  const allowFrom = options.allowFrom
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const handler = createNotifierHandler({
    clientId,
    store,
    baseUrl: config.baseUrl,
    logger,
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(allowFrom ? { allowFrom } : {}),
    ...(config.account === undefined || config.account.startsWith('upstox:')
      ? {}
      : { accountName: config.account }),
    onDelivery: (o) =>
      ctx.output.note(
        `${new Date().toISOString()} delivery from ${o.remoteAddress ?? '?'}: ${o.status} ${o.result}${o.userId ? ` user ${o.userId}` : ''}${o.reason ? ` (${o.reason})` : ''}`,
      ),
  });
  const server = createServer((req, res) => {
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://x').pathname === '/healthz') {
      store.list().then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok', store: store.name }));
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              status: 'error',
              store: store.name,
              reason: error instanceof Error ? error.message : String(error),
            }),
          );
        },
      );
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  ctx.output.out(`Notifier webhook receiver listening on http://${shownHost}:${port}${options.path ?? '/'}`);
  ctx.output.note(`Health check: http://${shownHost}:${port}/healthz. Store: ${store.name}. Ctrl-C to stop.`);
  if (options.path === undefined) {
    ctx.output.note(
      'warning: no --path: any path accepts deliveries. Use an unguessable --path, since Upstox does not sign them.',
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  ctx.output.note('hft webhook serve: stopped');
  return 0;
}
