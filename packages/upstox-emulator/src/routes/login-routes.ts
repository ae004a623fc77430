import { timingSafeEqual } from 'node:crypto';
import type { EmulatorCore } from '../core.js';
import { LOGIN_FORM_PATH, renderLoginPage } from '../login-page.js';
import {
  errorReply,
  errorsReply,
  htmlReply,
  isReply,
  jsonReply,
  type Reply,
  redirectReply,
} from '../reply.js';
import type { ResolvedApp } from '../types.js';
import { errorItem, type UpstoxErrorCode } from '../upstox-errors.js';
import { FORM_MEDIA_TYPE, field, type Route, type RouteContext } from './context.js';

/** Path of the OAuth dialog. */
export const DIALOG_PATH = '/v2/login/authorization/dialog';
/** Path of the code exchange. */
export const TOKEN_PATH = '/v2/login/authorization/token';

/** Compares secrets in constant time (lengths may differ). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface DialogParams {
  app: ResolvedApp;
  redirectUri: string;
  responseType: string;
}

/** Checks client_id / redirect_uri / response_type of the dialog (and of the login form that carries them). */
function checkDialogParams(
  core: EmulatorCore,
  clientId: string | undefined,
  redirectUri: string | undefined,
  responseType: string | undefined,
): DialogParams | Reply {
  if (!redirectUri) return errorReply(400, 'UDAPI1018', { propertyPath: 'redirect_uri' });
  if (!clientId) return errorReply(400, 'UDAPI1017', { propertyPath: 'client_id' });
  const app = core.apps.get(clientId);
  if (!app?.redirectUris.includes(redirectUri)) return errorReply(400, 'UDAPI100068');
  if (!app.active)
    return errorReply(401, 'UDAPI100073', { propertyPath: 'client_id', invalidValue: clientId });
  if (responseType !== 'code') {
    return errorReply(401, 'UDAPI100016', {
      propertyPath: 'response_type',
      invalidValue: responseType ?? null,
    });
  }
  return { app, redirectUri, responseType };
}

/** Appends `code` (and `state` when sent) to the redirect URI, keeping its own query untouched. */
export function callbackUrl(redirectUri: string, code: string, state: string | undefined): string {
  let extra = `code=${encodeURIComponent(code)}`;
  if (state !== undefined) extra += `&state=${encodeURIComponent(state)}`;
  if (!redirectUri.includes('?')) return `${redirectUri}?${extra}`;
  return redirectUri.endsWith('?') || redirectUri.endsWith('&')
    ? `${redirectUri}${extra}`
    : `${redirectUri}&${extra}`;
}

function dialog(ctx: RouteContext): Reply {
  const { query } = ctx;
  const checked = checkDialogParams(ctx.core, query.client_id, query.redirect_uri, query.response_type);
  if (isReply(checked)) return checked;
  return htmlReply(
    200,
    renderLoginPage({
      clientId: checked.app.clientId,
      redirectUri: checked.redirectUri,
      responseType: checked.responseType,
      state: query.state,
    }),
  );
}

function loginSubmit(ctx: RouteContext): Reply {
  if (ctx.mediaType !== FORM_MEDIA_TYPE) {
    return errorReply(400, 'UDAPI100036', {
      propertyPath: 'Content-Type',
      invalidValue: ctx.mediaType ?? null,
    });
  }
  const form = ctx.body;
  const clientId = field(form, 'client_id');
  const redirectUri = field(form, 'redirect_uri');
  const checked = checkDialogParams(ctx.core, clientId, redirectUri, field(form, 'response_type'));
  if (isReply(checked)) return checked;
  const state = field(form, 'state');
  const mobile = (field(form, 'mobile') ?? '').trim();
  const user = ctx.core.userByMobile(mobile);
  const ok =
    user && sameSecret(field(form, 'otp') ?? '', user.otp) && sameSecret(field(form, 'pin') ?? '', user.pin);
  if (!user || !ok) {
    return htmlReply(
      401,
      renderLoginPage({
        clientId: checked.app.clientId,
        redirectUri: checked.redirectUri,
        responseType: checked.responseType,
        state,
        mobile: /^\d{0,10}$/.test(mobile) ? mobile : '',
        error: 'Invalid mobile number, OTP or PIN. Please try again.',
      }),
    );
  }
  const code = ctx.core.codes.issue(checked.app.clientId, checked.redirectUri, user.userId);
  return redirectReply(callbackUrl(checked.redirectUri, code.code, state));
}

const REQUIRED_TOKEN_FIELDS: ReadonlyArray<[string, UpstoxErrorCode]> = [
  ['client_id', 'UDAPI1017'],
  ['redirect_uri', 'UDAPI1018'],
  ['code', 'UDAPI1022'],
  ['grant_type', 'UDAPI1023'],
  ['client_secret', 'UDAPI1024'],
];

/** The `code` a token request names, wherever it put it (form, JSON, raw text or query). */
function namedCode(ctx: RouteContext): string | undefined {
  const fromBody = field(ctx.body, 'code');
  if (fromBody) return fromBody;
  const fromRaw = ctx.rawBody.length > 0 ? new URLSearchParams(ctx.rawBody).get('code') : null;
  return fromRaw || ctx.query.code || undefined;
}

async function tokenExchange(ctx: RouteContext): Promise<Reply> {
  const { core } = ctx;
  // Single use "regardless of whether the access token generation succeeds or fails": any request
  // naming a live code spends it before anything else is checked.
  const named = namedCode(ctx);
  const issued = named ? core.codes.consume(named) : undefined;

  if (ctx.mediaType !== FORM_MEDIA_TYPE) {
    return errorReply(400, 'UDAPI100036', {
      propertyPath: 'Content-Type',
      invalidValue: ctx.mediaType ?? null,
    });
  }
  const form = ctx.body;
  const missing = REQUIRED_TOKEN_FIELDS.filter(([name]) => !field(form, name)).map(([name, code]) =>
    errorItem(code, { propertyPath: name }),
  );
  if (missing.length > 0) return errorsReply(400, missing);
  const clientId = field(form, 'client_id')!;
  const redirectUri = field(form, 'redirect_uri')!;
  const grantType = field(form, 'grant_type')!;

  const app = core.apps.get(clientId);
  if (!app || !sameSecret(field(form, 'client_secret')!, app.clientSecret))
    return errorReply(401, 'UDAPI100016');
  if (!app.active)
    return errorReply(401, 'UDAPI100073', { propertyPath: 'client_id', invalidValue: clientId });
  if (grantType !== 'authorization_code') {
    return errorReply(400, 'UDAPI100036', { propertyPath: 'grant_type', invalidValue: grantType });
  }
  if (!issued || issued.clientId !== app.clientId)
    return errorReply(400, 'UDAPI100057', { propertyPath: 'code' });
  if (redirectUri !== issued.redirectUri) {
    return errorReply(400, 'UDAPI100068', { propertyPath: 'redirect_uri', invalidValue: redirectUri });
  }
  const user = core.users.get(issued.userId);
  if (!user) return errorReply(400, 'UDAPI100057', { propertyPath: 'code' });
  if (!user.segmentsActive) return errorReply(400, 'UDAPI100058');
  const refresh = field(form, 'refresh_extended_token') === 'true';
  return jsonReply(200, await core.tokenBody(app, user, refresh));
}

/** Routes of the OAuth login: dialog, login form, code exchange. */
export const loginRoutes: Route[] = [
  { method: 'GET', pattern: DIALOG_PATH, kind: 'api', category: 'login', handler: dialog },
  { method: 'POST', pattern: LOGIN_FORM_PATH, kind: 'page', category: 'login', handler: loginSubmit },
  { method: 'POST', pattern: TOKEN_PATH, kind: 'api', category: 'login', handler: tokenExchange },
];
