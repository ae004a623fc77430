import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { InputError } from '@hft/errors';
import type { EmulatorCore } from './core.js';
import { BLOCK_PAGE_HTML } from './faults.js';
import { errorReply, htmlReply, type Reply } from './reply.js';
import { firstValues, readBody } from './request-reader.js';
import { matchRoute, routesFor } from './router.js';
import type { Route, RouteContext } from './routes/context.js';
import { normaliseIp, staticIpRefusal } from './static-ips.js';
import { type ApiClass, accessFor, notPermittedMessage } from './token-access.js';
import type { Fault, RequestLogEntry } from './types.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** A running HTTP server bound to an {@link EmulatorCore}. */
export interface EmulatorServer {
  port: number;
  close(): Promise<void>;
}

function send(core: EmulatorCore, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    ...reply.headers,
    date: new Date(core.clock.now()).toUTCString(),
    'content-length': String(body.length),
  });
  res.end(body);
}

function staticIpReply(message: string): Reply {
  return errorReply(403, 'UDAPI1154', { message });
}

/** Checks the Bearer token and, through `TOKEN_ACCESS`, whether its kind may call this route. */
function authenticate(ctx: RouteContext, api: ApiClass): Reply | undefined {
  const header = ctx.headers.authorization;
  const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
  const checked = token ? ctx.core.tokens.check(token) : undefined;
  const user = checked?.record ? ctx.core.users.get(checked.record.userId) : undefined;
  if (!checked || checked.problem !== undefined || !user) return errorReply(401, 'UDAPI100050');
  const kind = checked.record.kind;
  const access = accessFor(ctx.core.hostRole, kind, api);
  if (access === 'invalid') return errorReply(401, 'UDAPI100050');
  if (access === 'deny') {
    const message = notPermittedMessage(kind);
    return errorReply(403, 'UDAPI100067', message === undefined ? {} : { message });
  }
  if (access === 'static-ip') {
    const refusal = staticIpRefusal(user, ctx.origin);
    if (refusal) return staticIpReply(refusal);
  }
  ctx.auth = { token: checked.record, user };
  return undefined;
}

/**
 * The order-path rules on the live host: the origin must be one of the user's static IPs, and an
 * algo app's orders must name one of its algos in `X-Algo-Name`. The sandbox host checks neither.
 */
function checkOrder(ctx: RouteContext, forceIpRefusal: boolean): Reply | undefined {
  if (ctx.core.hostRole === 'sandbox') return undefined;
  const refusal = staticIpRefusal(ctx.auth!.user, ctx.origin, forceIpRefusal);
  if (refusal) return staticIpReply(refusal);
  const app = ctx.core.apps.get(ctx.auth!.token.clientId);
  if (app?.algoNames && app.algoNames.length > 0) {
    const header = ctx.headers['x-algo-name'];
    const name = typeof header === 'string' ? header.trim() : '';
    if (!name) {
      return errorReply(400, 'UDAPI100036', {
        propertyPath: 'X-Algo-Name',
        message: 'Invalid Input: the X-Algo-Name header is required for orders of an algo app',
      });
    }
    if (!app.algoNames.includes(name)) {
      return errorReply(400, 'UDAPI100036', {
        propertyPath: 'X-Algo-Name',
        invalidValue: name,
        message: 'Invalid Input: X-Algo-Name names no algo configured on the app',
      });
    }
  }
  return undefined;
}

function rateKey(ctx: RouteContext, route: Route): string {
  if (route.category === 'login') {
    const clientId = ctx.params.client_id ?? ctx.body?.client_id ?? ctx.query.client_id;
    return typeof clientId === 'string' ? clientId : '';
  }
  const userId = ctx.auth?.user.userId ?? '';
  return route.category === 'order' ? userId : `${userId} ${route.method} ${route.pattern}`;
}

/** Applies `fault`; returns true when the request was answered (or dropped) by it. */
async function applyFault(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  wait: (ms: number) => Promise<void>,
): Promise<boolean> {
  if (fault.latencyMs) await wait(fault.latencyMs);
  if (fault.hang) return true;
  if (fault.reset) {
    req.socket.resetAndDestroy();
    return true;
  }
  if (fault.html) {
    const html = typeof fault.html === 'string' ? fault.html : BLOCK_PAGE_HTML;
    send(core, res, htmlReply(fault.status ?? 403, html));
    return true;
  }
  if (fault.status !== undefined) {
    send(core, res, errorReply(fault.status, 'UDAPI100500'));
    return true;
  }
  return false;
}

async function handle(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  wait: (ms: number) => Promise<void>,
  onRequest: ((entry: RequestLogEntry) => void) | undefined,
): Promise<void> {
  const started = performance.now();
  const arrived = core.clock.now();
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = firstValues(new URLSearchParams(q < 0 ? '' : target.slice(q + 1)));
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);
  const match = matchRoute(method, path, routesFor(core.hostRole));
  const kind = match.route ? match.route.kind : match.kind;
  let fault: Fault | undefined;

  if (kind !== 'control') {
    const entry: RequestLogEntry = {
      id: core.nextRequestId++,
      method,
      path,
      query,
      headers: { ...req.headers },
      body: body.parsed ?? (body.raw.length > 0 ? body.raw : undefined),
      time: arrived,
      route: match.route ? `${match.route.method} ${match.route.pattern}` : null,
    };
    core.requests.push(entry);
    res.once('finish', () => {
      entry.status = res.statusCode;
      entry.durationMs = Math.round(performance.now() - started);
    });
    res.once('close', () => {
      try {
        onRequest?.(entry);
      } catch {
        // A logging hook must never take the emulator down.
      }
    });
    fault = core.faults.take(method, match.route?.pattern ?? null, path, match.route?.order !== undefined);
    if (fault && (await applyFault(core, req, res, fault, wait))) return;
  }

  if (body.tooLarge) {
    send(core, res, errorReply(413, 'UDAPI100036', { message: 'Invalid Input: request body too large' }));
    return;
  }
  if (!match.route) {
    if (match.allowed.length > 0) {
      const reply = errorReply(405, 'UDAPI10000');
      reply.headers.allow = [...new Set(match.allowed)].join(', ');
      send(core, res, reply);
    } else {
      send(core, res, errorReply(404, 'UDAPI10000'));
    }
    return;
  }
  const route = match.route;
  const ctx: RouteContext = {
    core,
    method,
    path,
    params: match.params,
    query,
    headers: req.headers,
    mediaType: body.mediaType,
    rawBody: body.raw,
    body: body.parsed,
    invalidJson: body.invalidJson,
    json: body.json,
    origin: normaliseIp(req.socket.remoteAddress),
  };
  if (route.auth) {
    const denied = authenticate(ctx, route.auth);
    if (denied) {
      send(core, res, denied);
      return;
    }
  }
  if (route.order) {
    const refused = checkOrder(ctx, fault?.ipNotRegistered === true);
    if (refused) {
      send(core, res, refused);
      return;
    }
  }
  if (route.category && !core.allow(route.category, rateKey(ctx, route))) {
    send(core, res, errorReply(429, 'UDAPI10005'));
    return;
  }
  send(core, res, await route.handler(ctx));
}

/**
 * Starts the HTTP server. `close()` stops accepting connections and destroys open ones (including
 * requests held by `hang` faults or latency), so it resolves promptly.
 *
 * @throws InputError (argument `port`) when the port cannot be bound (in use, no permission).
 */
export async function startServer(
  core: EmulatorCore,
  port: number,
  host: string,
  onRequest: ((entry: RequestLogEntry) => void) | undefined,
): Promise<EmulatorServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    handle(core, req, res, wait, onRequest).catch(() => {
      if (!closing) send(core, res, errorReply(500, 'UDAPI100500'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new InputError(`cannot listen on ${host}:${port} (${error.code ?? error.message})`, {
          cause: error,
          details: { argument: 'port' },
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;

  return {
    port: bound,
    close(): Promise<void> {
      if (closing) return Promise.resolve();
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
