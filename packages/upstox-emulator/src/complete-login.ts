import { InputError } from '@hft/errors';
import { invalidArgument } from '@hft/errors/assert';
import { DEFAULT_USER } from './defaults.js';
import { LOGIN_FORM_PATH } from './login-page.js';

/** The test user's login values; defaults are {@link DEFAULT_USER}'s. */
export interface TestLoginValues {
  mobile?: string;
  otp?: string;
  pin?: string;
}

/**
 * Plays the browser against an emulator's login dialog: loads the dialog page at
 * `authorizationUrl` (as built by any client, e.g. `buildAuthorizationUrl`), submits the login
 * form with the test user's values, and returns the redirect target (`redirect_uri?code=...&state=...`)
 * without following it. For demos and tests that have no browser; real HTTP, nothing bypassed.
 *
 * @throws InputError when the URL is not an emulator dialog URL, the dialog refuses the request
 *   (its Upstox error is in the message), or the login values are rejected.
 */
export async function completeLogin(authorizationUrl: string, values: TestLoginValues = {}): Promise<string> {
  let url: URL;
  try {
    url = new URL(authorizationUrl);
  } catch {
    throw invalidArgument('authorizationUrl', 'an absolute URL');
  }
  const page = await fetch(url, { redirect: 'manual' });
  const pageText = await page.text();
  if (page.status !== 200 || !pageText.includes(LOGIN_FORM_PATH)) {
    throw new InputError(`The login dialog answered HTTP ${page.status}: ${summarise(pageText)}`, {
      details: { argument: 'authorizationUrl' },
    });
  }
  // The form carries the dialog's own query as hidden fields.
  const form = new URLSearchParams();
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'state']) {
    const value = url.searchParams.get(name);
    if (value !== null) form.set(name, value);
  }
  form.set('mobile', values.mobile ?? DEFAULT_USER.mobile);
  form.set('otp', values.otp ?? DEFAULT_USER.otp);
  form.set('pin', values.pin ?? DEFAULT_USER.pin);
  const submitted = await fetch(new URL(LOGIN_FORM_PATH, url), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || location === null) {
    throw new InputError(
      `The emulator rejected the login (HTTP ${submitted.status}); check the test user's values`,
      {
        details: { argument: 'values' },
      },
    );
  }
  return location;
}

function summarise(text: string): string {
  const error = /"message"\s*:\s*"([^"]{0,200})"/.exec(text)?.[1];
  if (error) return error;
  return (
    text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200) || 'empty body'
  );
}
