import type { TokenKind } from '@hft/auth-core/store';
import { SOURCE_DEFAULT } from '@hft/config';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { httpTimeoutMs } from '../http-timeout.js';
import { kindOption } from './token.js';

interface ApiOptions {
  field?: string[];
  kind?: string;
  json?: string;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);

/** What `hft api` sends, from its arguments. */
export interface ApiRequest {
  method: string;
  path: string;
  params?: Record<string, string>;
  data?: unknown;
  kind?: TokenKind;
}

/**
 * Parses `[METHOD] PATH [-f key=value ...] [--kind K] [--json BODY]`. The path is relative to the
 * configured Upstox host: an absolute URL would send the token to another host, so it is refused.
 * @throws UsageError naming the argument at fault.
 */
export function parseApiArgs(args: readonly string[], options: ApiOptions): ApiRequest {
  if (args.length === 0 || args.length > 2)
    throw new UsageError('usage: hft api [METHOD] PATH (see hft api --help)');
  const [first, second] = args as [string, string | undefined];
  const method = second === undefined ? 'GET' : first.toUpperCase();
  const path = second ?? first;
  if (!METHODS.has(method))
    throw new UsageError(`METHOD must be one of ${[...METHODS].join(', ')} (got "${first}")`);
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new UsageError(
      `PATH must be a path on the Upstox host, such as /v2/user/profile (got "${path}"): the token is never sent to another host`,
    );
  }
  const fields: Record<string, string> = {};
  for (const field of options.field ?? []) {
    const at = field.indexOf('=');
    if (at <= 0) throw new UsageError(`-f must be key=value (got "${field}")`);
    fields[field.slice(0, at)] = field.slice(at + 1);
  }
  const request: ApiRequest = { method, path };
  if (options.kind !== undefined) request.kind = kindOption(options.kind);
  const hasFields = Object.keys(fields).length > 0;
  if (options.json !== undefined) {
    if (method === 'GET') throw new UsageError('--json sends a body: use it with POST, PUT, PATCH or DELETE');
    if (hasFields) throw new UsageError('--json and -f cannot be combined: put every field in the JSON body');
    try {
      request.data = JSON.parse(options.json);
    } catch {
      throw new UsageError('--json must be valid JSON');
    }
  } else if (hasFields) {
    // As `gh api`: fields are the query of a GET (or DELETE), the JSON body otherwise.
    if (method === 'GET' || method === 'DELETE') request.params = fields;
    else request.data = fields;
  }
  return request;
}

/**
 * `hft api [METHOD] PATH`: an authenticated request through the same client a trading program
 * uses (the token kind chosen per request, or `--kind`), printing Upstox's JSON body. Exit 0 on
 * 2xx; 1 with Upstox's error code and message otherwise; 3 when no token may be sent.
 */
export async function run(ctx: CommandContext, options: ApiOptions, args: string[]): Promise<number> {
  const request = parseApiArgs(args, options);
  const [{ config, sources }, manager, { createUpstoxClient }] = await Promise.all([
    ctx.config(),
    ctx.manager(),
    import('@hft/auth-core'),
  ]);
  await manager.load();
  const timeoutMs = httpTimeoutMs(ctx.options.httpTimeout, ctx.env);
  // The REST host pointed elsewhere (an emulator, a proxy) and the order host left at its
  // default: orders go to that host too, never to production by surprise.
  const orderBaseUrl =
    sources.orderBaseUrl === SOURCE_DEFAULT && sources.baseUrl !== SOURCE_DEFAULT
      ? config.baseUrl
      : config.orderBaseUrl;
  const client = createUpstoxClient(manager, {
    baseUrl: config.baseUrl,
    orderBaseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const response = await client.request({
    method: request.method,
    url: request.path,
    ...(request.params ? { params: request.params } : {}),
    ...(request.data === undefined ? {} : { data: request.data }),
    ...(request.kind ? { hftKind: request.kind } : {}),
  });
  ctx.output.json(response.data);
  return ExitCode.OK;
}
