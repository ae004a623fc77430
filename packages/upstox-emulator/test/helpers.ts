import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManualClock, type ManualClock } from '@hft/time/testing';
import { afterEach, expect } from 'vitest';
import { startUpstoxEmulator, type UpstoxEmulator, type UpstoxEmulatorOptions } from '../src/index.js';

/** Monday 2026-01-05 10:00 IST; its tokens expire 2026-01-06 03:30 IST. */
export const START = Date.parse('2026-01-05T10:00:00+05:30');
export const NEXT_0330 = Date.parse('2026-01-06T03:30:00+05:30');

const running: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (running.length > 0) await running.pop()!.close();
});

/** Starts an emulator on 127.0.0.1:0 driven by a manual clock; closed after the test. */
export async function startEmulator(
  options: UpstoxEmulatorOptions = {},
): Promise<{ emu: UpstoxEmulator; clock: ManualClock }> {
  const clock = createManualClock(START);
  const emu = await startUpstoxEmulator({ clock, ...options });
  running.push(emu);
  return { emu, clock };
}

/** A real HTTP server that records what it receives and answers `status`. */
export interface Receiver {
  url: string;
  received: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** Starts a recording HTTP server on 127.0.0.1:0 (closed after the test). */
export async function startReceiver(status = 200, reply = '{"status":"ok"}'): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'content-type': reply.startsWith('{') ? 'application/json' : 'text/html' });
      res.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  running.push(receiver);
  return receiver;
}

/** Fetch that never follows redirects. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers });
}

/** GET with a Bearer token. */
export function authGet(url: string, token: string): Promise<Response> {
  return get(url, { authorization: `Bearer ${token}` });
}

/** POST a form (application/x-www-form-urlencoded). */
export function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields) });
}

/** POST JSON. */
export function postJson(url: string, value: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
}

/** Reads an Upstox error envelope and checks both spellings agree; returns the entries. */
export async function upstoxErrors(
  res: Response,
): Promise<Array<{ code: string; message: string; path: string | null; value: unknown }>> {
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as { status: string; errors: Array<Record<string, unknown>> };
  expect(body.status).toBe('error');
  expect(Array.isArray(body.errors)).toBe(true);
  return body.errors.map((e) => {
    expect(e.errorCode).toBe(e.error_code);
    expect(e.propertyPath).toBe(e.property_path);
    expect(e.invalidValue).toEqual(e.invalid_value);
    expect(Object.keys(e).sort()).toEqual(
      [
        'errorCode',
        'error_code',
        'invalidValue',
        'invalid_value',
        'message',
        'propertyPath',
        'property_path',
      ].sort(),
    );
    return {
      code: e.error_code as string,
      message: e.message as string,
      path: e.property_path as string | null,
      value: e.invalid_value,
    };
  });
}

/** Asserts a single-entry error envelope with this status and code; returns the entry. */
export async function expectUpstoxError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const errors = await upstoxErrors(res);
  expect(errors.map((e) => e.code)).toEqual([code]);
  return errors[0]!;
}

/** The login form of a dialog page: its action and hidden fields. */
export function parseLoginForm(html: string): { action: string; hidden: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  expect(action).toBeDefined();
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1]!] = m[2]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  }
  return { action: action!, hidden };
}

/** Logs in through the dialog page and its form like a browser would; returns the 302 response. */
export async function submitLogin(
  emu: UpstoxEmulator,
  options: {
    clientId?: string;
    redirectUri?: string;
    state?: string;
    mobile?: string;
    otp?: string;
    pin?: string;
  } = {},
): Promise<Response> {
  const page = await get(emu.authorizeUrl(options));
  expect(page.status).toBe(200);
  const { action, hidden } = parseLoginForm(await page.text());
  return postForm(new URL(action, emu.url).href, {
    ...hidden,
    mobile: options.mobile ?? emu.defaultUser.mobile,
    otp: options.otp ?? emu.defaultUser.otp,
    pin: options.pin ?? emu.defaultUser.pin,
  });
}

/** Logs in and returns the authorization code from the redirect. */
export async function loginForCode(
  emu: UpstoxEmulator,
  options: Parameters<typeof submitLogin>[1] = {},
): Promise<string> {
  const res = await submitLogin(emu, options);
  expect(res.status).toBe(302);
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  expect(code).toBeTruthy();
  return code!;
}

/** Exchanges a code at the token endpoint with the default app's credentials (overridable). */
export function exchange(emu: UpstoxEmulator, fields: Record<string, string | undefined>): Promise<Response> {
  const defaults: Record<string, string> = {
    client_id: emu.defaultApp.clientId,
    client_secret: emu.defaultApp.clientSecret,
    redirect_uri: emu.defaultApp.redirectUris[0]!,
    grant_type: 'authorization_code',
  };
  const form: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...defaults, ...fields }))
    if (value !== undefined) form[key] = value;
  return postForm(`${emu.url}/v2/login/authorization/token`, form);
}

/** Logs in and exchanges the code; returns the token body. */
export async function loginForToken(emu: UpstoxEmulator): Promise<Record<string, unknown>> {
  const code = await loginForCode(emu);
  const res = await exchange(emu, { code });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** A request with a Bearer token: method, optional JSON body and extra headers. */
export function authFetch(
  url: string,
  token: string | undefined,
  options: { method?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return fetch(url, {
    method: options.method ?? 'GET',
    redirect: 'manual',
    headers,
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
}

/** A valid order body for `/v2/order/place` and `/v3/order/place`. */
export const ORDER_BODY = {
  instrument_token: 'NSE_EQ|INE002A01018',
  quantity: 1,
  transaction_type: 'BUY',
  product: 'D',
  validity: 'DAY',
  price: 0,
  order_type: 'MARKET',
  disclosed_quantity: 0,
  trigger_price: 0,
  is_amo: false,
};

/** A valid request (query and body) for each order category. */
export function orderRequest(category: string): { query: string; json?: unknown } {
  switch (category) {
    case 'place':
      return { query: '', json: ORDER_BODY };
    case 'modify':
      return { query: '', json: { order_id: '260105000000001', quantity: 2, validity: 'DAY', price: 0 } };
    case 'cancel':
      return { query: '?order_id=260105000000001' };
    case 'multi-place':
      return { query: '', json: [{ ...ORDER_BODY, correlation_id: 'c1' }] };
    case 'multi-cancel':
      return { query: '?segment=NSE_EQ' };
    case 'exit-all':
      return { query: '' };
    case 'gtt-place':
      return {
        query: '',
        json: {
          type: 'SINGLE',
          quantity: 1,
          product: 'D',
          instrument_token: 'NSE_EQ|INE002A01018',
          transaction_type: 'BUY',
          rules: [{ strategy: 'ENTRY', trigger_type: 'ABOVE', trigger_price: 1300 }],
        },
      };
    default:
      return { query: '', json: { gtt_order_id: 'GTT-C260105000000001' } };
  }
}
