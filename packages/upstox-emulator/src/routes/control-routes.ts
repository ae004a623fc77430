import { ErrorCodes, InputError, isHftError } from '@hft/errors';
import { argumentError, assertPlainObject, describeType, invalidArgument } from '@hft/errors/assert';
import { toIstIso } from '@hft/time/core';
import { jsonReply, type Reply } from '../reply.js';
import type { GeneratedTokenKind } from '../tokens.js';
import type { EmulatorApp, EmulatorUser, Fault, ResolvedApp } from '../types.js';
import type { Route, RouteContext } from './context.js';

/** Prefix of every control route. */
export const CONTROL_PREFIX = '/_emulator/';

function ok(data: unknown): Reply {
  return jsonReply(200, { status: 'success', data });
}

/** Control-route error body: `{status:"error", error:{code, message}}` (HFT codes, not UDAPI). */
export function controlError(status: number, code: string, message: string): Reply {
  return jsonReply(status, { status: 'error', error: { code, message } });
}

/** An app as shown by the control API: everything but the secret. */
function publicApp(app: ResolvedApp): Omit<ResolvedApp, 'clientSecret'> {
  const { clientSecret: _secret, ...rest } = app;
  return { ...rest, redirectUris: [...rest.redirectUris] };
}

function jsonBody(ctx: RouteContext): Record<string, unknown> {
  if (ctx.rawBody.length === 0) return {};
  if (ctx.invalidJson || ctx.body === undefined) {
    throw invalidArgument('body', 'a JSON object');
  }
  return ctx.body;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidArgument(name, 'a string', { got: describeType(value) });
  return value;
}

function clockState(ctx: RouteContext): { now: number; iso: string } {
  const now = ctx.core.clock.now();
  return { now, iso: toIstIso(now) };
}

/** Wraps a handler so InputError/AuthError become control-route errors instead of 500s. */
function guarded(handler: (ctx: RouteContext) => Reply | Promise<Reply>) {
  return async (ctx: RouteContext): Promise<Reply> => {
    try {
      return await handler(ctx);
    } catch (error) {
      if (isHftError(error)) {
        return controlError(error.code === ErrorCodes.AUTH_TIMEOUT ? 410 : 400, error.code, error.message);
      }
      throw error;
    }
  };
}

const routes: Array<[string, string, (ctx: RouteContext) => Reply | Promise<Reply>]> = [
  ['GET', 'requests', (ctx) => ok(ctx.core.requests)],
  [
    'DELETE',
    'requests',
    (ctx) => {
      ctx.core.requests.length = 0;
      return ok(true);
    },
  ],
  ['GET', 'pending', (ctx) => ok(ctx.core.pendingRequests())],
  ['GET', 'deliveries', (ctx) => ok(ctx.core.deliveries)],
  ['POST', 'approve', async (ctx) => ok(await ctx.core.approve(optionalString(jsonBody(ctx), 'clientId')))],
  ['POST', 'reject', (ctx) => ok(ctx.core.reject(optionalString(jsonBody(ctx), 'clientId')))],
  ['GET', 'faults', (ctx) => ok(ctx.core.faults.list())],
  [
    'POST',
    'faults',
    (ctx) => {
      const body = jsonBody(ctx);
      if (body.faults !== undefined) {
        assertPlainObject(body.faults, 'faults', 'an object keyed by route');
        for (const [key, fault] of Object.entries(body.faults)) ctx.core.faults.set(key, fault as Fault);
      } else {
        const route = optionalString(body, 'route') ?? '*';
        ctx.core.faults.set(route, body.fault as Fault);
      }
      return ok(ctx.core.faults.list());
    },
  ],
  [
    'DELETE',
    'faults',
    (ctx) => {
      ctx.core.faults.clear();
      return ok({});
    },
  ],
  ['GET', 'clock', (ctx) => ok(clockState(ctx))],
  [
    'POST',
    'clock',
    (ctx) => {
      const body = jsonBody(ctx);
      if (body.set !== undefined) ctx.core.clock.set(body.set as number);
      else if (body.advanceMs !== undefined) ctx.core.clock.advance(body.advanceMs as number);
      else
        throw new InputError('give {"set": epochMs} or {"advanceMs": ms}', { details: { argument: 'body' } });
      return ok(clockState(ctx));
    },
  ],
  ['GET', 'apps', (ctx) => ok([...ctx.core.apps.values()].map(publicApp))],
  [
    'POST',
    'apps',
    (ctx) => ok(publicApp(ctx.core.upsertApp(jsonBody(ctx) as Partial<EmulatorApp> & { clientId: string }))),
  ],
  [
    'POST',
    'users',
    (ctx) => {
      const user = ctx.core.upsertUser(jsonBody(ctx) as Partial<EmulatorUser> & { userId: string });
      const { otp: _otp, pin: _pin, ...rest } = user;
      return ok(rest);
    },
  ],
  [
    'POST',
    'tokens',
    async (ctx) => {
      const body = jsonBody(ctx);
      const clientId = optionalString(body, 'clientId');
      const userId = optionalString(body, 'userId');
      return ok(await ctx.core.issueToken({ ...(clientId && { clientId }), ...(userId && { userId }) }));
    },
  ],
  [
    'POST',
    'tokens/generate',
    async (ctx) => {
      const body = jsonBody(ctx);
      const clientId = optionalString(body, 'clientId');
      const userId = optionalString(body, 'userId');
      return ok(
        await ctx.core.generateToken({
          kind: body.kind as GeneratedTokenKind,
          ...(clientId && { clientId }),
          ...(userId && { userId }),
        }),
      );
    },
  ],
  [
    'POST',
    'static-ips',
    (ctx) => {
      const body = jsonBody(ctx);
      const userId = optionalString(body, 'userId');
      const user = ctx.core.setStaticIps({ ips: body.ips as string[], ...(userId && { userId }) });
      return ok({ userId: user.userId, primaryIp: user.primaryIp, secondaryIp: user.secondaryIp });
    },
  ],
  [
    'POST',
    'revoke',
    (ctx) => {
      const token = optionalString(jsonBody(ctx), 'accessToken');
      if (!token) throw argumentError('accessToken', 'is required');
      return ok(ctx.core.tokens.revoke(token));
    },
  ],
];

/** The JSON control API under `/_emulator/` (not logged, never faulted). */
export const controlRoutes: Route[] = routes.map(([method, name, handler]) => ({
  method,
  pattern: `${CONTROL_PREFIX}${name}`,
  kind: 'control',
  handler: guarded(handler),
}));
