import { BrokerError, type BrokerErrorItem, ErrorCodes, NetworkError } from '@hft/errors';
import { isPlainObject } from '@hft/errors/assert';
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { DEFAULT_BASE_URL, UpstoxErrorCodes } from './endpoints.js';
import { staticIpError } from './static-ip-error.js';

/** Default timeout of login/account calls, in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Options of {@link createUpstoxHttp}. */
export interface UpstoxHttpOptions {
  /** API base URL. Default `https://api.upstox.com`. */
  baseUrl?: string;
  /** Per-request timeout in ms. Default 10 000. */
  timeoutMs?: number;
}

/**
 * The axios instance the login/account calls go through. Inject your own (same `baseURL`
 * semantics) to add proxies or agents; point `baseUrl` at `@hft/upstox-emulator` in tests.
 */
export function createUpstoxHttp(options: UpstoxHttpOptions = {}): AxiosInstance {
  return axios.create({
    baseURL: options.baseUrl ?? DEFAULT_BASE_URL,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // Error statuses are mapped here, not thrown by axios: axios errors carry the request
    // config (secrets in headers and form bodies) and must never escape.
    validateStatus: () => true,
    maxRedirects: 0,
  });
}

/** A request to send with {@link sendUpstox}. */
export interface UpstoxRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  data?: string | Record<string, unknown>;
}

/** A response that arrived and carried JSON, whatever its status. */
export interface UpstoxRawResponse {
  /** `METHOD /path`, used in every error message. */
  endpoint: string;
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body. */
  body: unknown;
}

/**
 * Sends one request (the "send" half). Resolves with the parsed JSON body for ANY status;
 * rejects only with `NetworkError`: timeout (`HFT_NETWORK_TIMEOUT`), connection failure
 * (`HFT_NETWORK_UNREACHABLE`), or a body that is not JSON such as an HTML block page
 * (`HFT_NETWORK_NON_JSON`). The raw axios error never escapes: it carries secrets.
 */
export async function sendUpstox(http: AxiosInstance, request: UpstoxRequest): Promise<UpstoxRawResponse> {
  const endpoint = `${request.method} ${request.path}`;
  let response: AxiosResponse<string>;
  try {
    response = await http.request<string>({
      method: request.method,
      url: request.path,
      headers: { Accept: 'application/json', ...request.headers },
      data: request.data,
      responseType: 'text',
      transformResponse: [(raw: unknown) => raw],
    });
  } catch (error) {
    throw transportError(endpoint, error);
  }
  const headers = flattenHeaders(response.headers);
  const contentType = headers['content-type'] ?? '';
  const text = typeof response.data === 'string' ? response.data : '';
  let body: unknown;
  try {
    if (!/json/i.test(contentType)) throw new Error('not JSON');
    body = JSON.parse(text);
  } catch {
    throw nonJsonError(endpoint, response.status, contentType, text);
  }
  return { endpoint, status: response.status, headers, body };
}

/** The `NetworkError` for a body that is not Upstox JSON (HTML block page, proxy error). */
export function nonJsonError(
  endpoint: string,
  status: number,
  contentType: string,
  text: string,
): NetworkError {
  return new NetworkError(
    ErrorCodes.NETWORK_NON_JSON,
    `${endpoint} answered HTTP ${status} with ${describeBody(contentType, text)} instead of Upstox JSON (a proxy, firewall or block page is in the way?)`,
    { details: { endpoint, status } },
  );
}

function describeBody(contentType: string, text: string): string {
  if (/html/i.test(contentType) || /^\s*</.test(text)) return 'an HTML page';
  if (text.length === 0) return 'an empty body';
  return contentType ? `a ${contentType.split(';')[0]} body` : 'a body of unknown type';
}

/** Lower-cased, string-valued response headers. */
export function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** Maps a transport failure (no response) to a secret-free `NetworkError`. */
export function transportError(endpoint: string, error: unknown): NetworkError {
  const code = isAxiosError(error) ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // Keep only the transport's code and message as the cause: safe text, no request config.
  const cause = new Error(`${code ?? 'ERROR'}: ${message}`);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return new NetworkError(ErrorCodes.NETWORK_TIMEOUT, `${endpoint} did not answer in time (${message})`, {
      cause,
      details: { endpoint },
    });
  }
  return new NetworkError(ErrorCodes.NETWORK_UNREACHABLE, `${endpoint} failed: ${message}`, {
    cause,
    details: { endpoint },
  });
}

/** Reads Upstox's error envelope: `errors[].error_code` first, then the deprecated `errorCode`. */
export function parseErrorEnvelope(body: unknown): BrokerErrorItem[] {
  if (!isPlainObject(body) || !Array.isArray(body.errors)) return [];
  const items: BrokerErrorItem[] = [];
  for (const entry of body.errors) {
    if (!isPlainObject(entry)) continue;
    const code = firstString(entry.error_code, entry.errorCode) ?? 'UNKNOWN';
    const message = firstString(entry.message) ?? '';
    const propertyPath = firstString(entry.property_path, entry.propertyPath) ?? null;
    items.push({ code, message, propertyPath });
  }
  return items;
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v.length > 0) return v;
  return undefined;
}

/**
 * The "validate" half for status: returns the body of a successful response, or throws
 * `BrokerError` built from Upstox's envelope (`HFT_BROKER_RATE_LIMITED` for 429 /
 * `UDAPI10005`, with `retryAfterSeconds` from `Retry-After`).
 */
export function expectSuccess(response: UpstoxRawResponse): unknown {
  const { status, body } = response;
  const isErrorBody = isPlainObject(body) && body.status === 'error';
  if (status >= 200 && status < 300 && !isErrorBody) return body;
  throw brokerError(response);
}

/** Builds the `BrokerError` for an error response (Upstox's envelope, status, Retry-After). */
export function brokerError(response: UpstoxRawResponse): BrokerError {
  const { status, body, endpoint } = response;
  const errors = parseErrorEnvelope(body);
  const first = errors[0];
  const retryAfter = parseRetryAfter(response.headers['retry-after']);
  const rateLimited = status === 429 || first?.code === 'UDAPI10005';
  const details = {
    status,
    endpoint,
    errors,
    ...(first ? { brokerCode: first.code } : {}),
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  };
  if (first?.code === UpstoxErrorCodes.STATIC_IP) return staticIpError(details, first.message);
  const text = first
    ? `${first.code}${first.message ? `: ${sanitise(first.message)}` : ''}`
    : 'no error details in the body';
  return new BrokerError(`Upstox rejected ${endpoint} (HTTP ${status}, ${text})`, {
    code: rateLimited ? ErrorCodes.BROKER_RATE_LIMITED : ErrorCodes.BROKER_ERROR,
    details,
  });
}

function sanitise(text: string): string {
  const clean = text.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
  return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
}

/** Parses `Retry-After` (seconds or an HTTP date relative to the response `Date`); undefined if absent/invalid. */
export function parseRetryAfter(value: string | undefined, nowMs?: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || nowMs === undefined) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
