import { escapeHtml, page } from './html.js';

/** Path the login form posts to. */
export const LOGIN_FORM_PATH = '/_emulator/login';

/** What the login page must carry through the form (the dialog's query). */
export interface LoginPageInput {
  clientId: string;
  redirectUri: string;
  responseType: string;
  /** undefined: no state was sent (none is echoed on the redirect). */
  state: string | undefined;
  /** Mobile number to pre-fill after a failed attempt. */
  mobile?: string;
  /** Message shown in `#error`. */
  error?: string;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

/**
 * The emulator's login page: one form with mobile number (`#mobile`), OTP (`#otp`) and 6-digit PIN
 * (`#pin`), submitted by `#login`. Errors appear in `#error`; the OAuth parameters travel in hidden
 * fields so a failed attempt keeps them.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const error = input.error ? `<p id="error" class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return page(
    'Login - Upstox emulator',
    `<h1>Log in to continue</h1>
<p class="note">Upstox emulator: app <code>${escapeHtml(input.clientId)}</code> asks for access to your account.</p>
${error}
<form id="login-form" method="post" action="${LOGIN_FORM_PATH}" autocomplete="off">
${hidden('client_id', input.clientId)}
${hidden('redirect_uri', input.redirectUri)}
${hidden('response_type', input.responseType)}
${input.state === undefined ? '' : hidden('state', input.state)}
<label for="mobile">Mobile number</label>
<input id="mobile" name="mobile" type="tel" inputmode="numeric" maxlength="10" required value="${escapeHtml(input.mobile ?? '')}">
<label for="otp">OTP</label>
<input id="otp" name="otp" type="text" inputmode="numeric" maxlength="6" required>
<label for="pin">6-digit PIN</label>
<input id="pin" name="pin" type="password" inputmode="numeric" maxlength="6" required>
<button id="login" type="submit">Continue</button>
</form>`,
  );
}
