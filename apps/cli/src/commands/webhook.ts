import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotifierHandler, type DeliveryOutcome } from '@hft/auth-core';
import type { CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { secretWebhookPath } from '../webhook-path.js';

interface WebhookServeOptions {
  port: number;
  host: string;
  path?: string;
  allowFrom?: string;
}

function healthPath(url: string | undefined): boolean {
  try {
    return new URL(url ?? '/', 'http://x').pathname === '/healthz';
  } catch {
    return false;
  }
}

function describe(o: DeliveryOutcome): string {
  const step = o.phase === 'retry' ? 'held delivery' : 'delivery';
  return `${new Date().toISOString()} ${step} from ${o.remoteAddress ?? '?'}: ${o.status} ${o.result}${o.userId ? ` user ${o.userId}` : ''}${o.reason ? ` (${o.reason})` : ''}${o.warning ? ` warning: ${o.warning}` : ''}`;
}

/**
 * `hft webhook serve`: runs the notifier webhook receiver (Upstox POSTs the approved token of a
 * v3 access token request here) and `GET /healthz` on the same server. Deliveries are accepted
 * only on a secret path: `--path`, or one generated on first start and kept in
 * `$HFT_HOME/webhook-path` (0600); it is printed once at start-up and never logged. Each
 * delivery's outcome is logged (never the token). Stops on SIGINT/SIGTERM.
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
  const kept = options.path === undefined ? await secretWebhookPath(config.home) : undefined;
  const path = options.path ?? (kept?.path as string);
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
    path,
    ...(allowFrom ? { allowFrom } : {}),
    ...(config.account === undefined || config.account.startsWith('upstox:')
      ? {}
      : { accountName: config.account }),
    onDelivery: (o) => ctx.output.note(describe(o)),
  });
  const server = createServer((req, res) => {
    if (req.method === 'GET' && healthPath(req.url)) {
      store.list().then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok', store: store.name, held: handler.heldCount() }));
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
    // The handler answers every request itself and never rejects.
    void handler(req, res);
  });
  // A slow sender cannot hold a connection open for the default five minutes.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  // Listening for the signals before saying we listen: a caller that stops us as soon as it
  // reads the line must not find the default (kill) action still in place.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  // The only place the secret path is shown: stdout, once. Never in the log.
  ctx.output.out(`Notifier webhook receiver listening on http://${shownHost}:${port}${path}`);
  if (kept?.created) {
    ctx.output.note(
      `A secret delivery path was generated and kept in ${kept.file}; register the URL above as the app's notifier (webhook) URL at Upstox. --path overrides it.`,
    );
  }
  ctx.output.note(`Health check: http://${shownHost}:${port}/healthz. Store: ${store.name}. Ctrl-C to stop.`);
  await stopped;
  handler.close();
  if (handler.heldCount() > 0)
    ctx.output.note(`warning: ${handler.heldCount()} held deliveries not yet confirmed are dropped`);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  ctx.output.note('hft webhook serve: stopped');
  return 0;
}
