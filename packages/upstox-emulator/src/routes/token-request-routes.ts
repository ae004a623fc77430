import { ErrorCodes, hasErrorCode } from '@hft/errors';
import { APPROVALS_PATH, renderApprovalsPage } from '../approvals-page.js';
import { errorReply, htmlReply, jsonReply, type Reply } from '../reply.js';
import { FORM_MEDIA_TYPE, field, JSON_MEDIA_TYPE, type Route, type RouteContext } from './context.js';
import { sameSecret } from './login-routes.js';

/** Path pattern of the v3 access token request. */
export const TOKEN_REQUEST_PATTERN = '/v3/login/auth/token/request/:client_id';

function tokenRequest(ctx: RouteContext): Reply {
  const { core } = ctx;
  const clientId = ctx.params.client_id ?? '';
  if (!clientId) return errorReply(400, 'UDAPI1017', { propertyPath: 'client_id' });
  // JSON is what the SDKs and curl sample send; the docs' Python sample posts a form, so both are read.
  if (ctx.mediaType !== JSON_MEDIA_TYPE && ctx.mediaType !== FORM_MEDIA_TYPE) {
    return errorReply(400, 'UDAPI100036', {
      propertyPath: 'Content-Type',
      invalidValue: ctx.mediaType ?? null,
    });
  }
  if (ctx.invalidJson)
    return errorReply(400, 'UDAPI100036', { message: 'Invalid Input: the body is not a JSON object' });
  const secret = field(ctx.body, 'client_secret');
  if (!secret) return errorReply(400, 'UDAPI1024', { propertyPath: 'client_secret' });
  const app = core.apps.get(clientId);
  if (!app || !sameSecret(secret, app.clientSecret)) return errorReply(401, 'UDAPI100069');
  if (!app.active)
    return errorReply(401, 'UDAPI100073', { propertyPath: 'client_id', invalidValue: clientId });
  if (!app.notifierUrl) return errorReply(400, 'UDAPI1123');
  if (!app.individual) return errorReply(400, 'UDAPI1124');
  const request = core.requestToken(app, app.notifierUrl);
  return jsonReply(200, {
    status: 'success',
    data: { authorization_expiry: String(request.authorizationExpiry), notifier_url: request.notifierUrl },
  });
}

function approvalsPage(ctx: RouteContext): Reply {
  return htmlReply(200, renderApprovalsPage({ requests: ctx.core.pendingRequests() }));
}

async function approvalsDecision(ctx: RouteContext): Promise<Reply> {
  const { core } = ctx;
  const page = (status: number, extra: { error?: string; result?: string }): Reply =>
    htmlReply(status, renderApprovalsPage({ requests: core.pendingRequests(), ...extra }));
  if (ctx.mediaType !== FORM_MEDIA_TYPE)
    return page(400, { error: 'The form must be posted as a web form.' });
  const request = core.tokenRequests.byId(field(ctx.body, 'request_id') ?? '');
  if (!request) return page(404, { error: 'That access token request is no longer pending.' });
  const user = core.users.get(request.userId);
  if (!user || !sameSecret(field(ctx.body, 'pin') ?? '', user.pin)) {
    return page(401, { error: 'Invalid PIN. Please try again.' });
  }
  const decision = field(ctx.body, 'decision');
  if (decision === 'reject') {
    core.tokenRequests.remove(request);
    return page(200, {
      result: `Rejected the access token request of ${request.clientId}. Nothing was sent.`,
    });
  }
  if (decision !== 'approve') return page(400, { error: 'Choose Approve or Reject.' });
  try {
    const delivery = await core.approveRequest(request);
    const outcome =
      delivery.statusCode === undefined
        ? `delivery to ${delivery.notifierUrl} failed: ${delivery.error ?? 'unknown error'}`
        : `delivered to ${delivery.notifierUrl} (HTTP ${delivery.statusCode})`;
    return page(200, {
      result: `Approved the access token request of ${request.clientId}; token ${outcome}.`,
    });
  } catch (error) {
    if (hasErrorCode(error, ErrorCodes.AUTH_TIMEOUT)) {
      return page(410, { error: 'That access token request has expired and can no longer be approved.' });
    }
    throw error;
  }
}

/** The v3 access token request and the account holder's approvals page. */
export const tokenRequestRoutes: Route[] = [
  { method: 'POST', pattern: TOKEN_REQUEST_PATTERN, kind: 'api', category: 'login', handler: tokenRequest },
  { method: 'GET', pattern: APPROVALS_PATH, kind: 'page', handler: approvalsPage },
  { method: 'POST', pattern: APPROVALS_PATH, kind: 'page', handler: approvalsDecision },
];
