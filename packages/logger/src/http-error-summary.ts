import { isErrorCodeValue } from './secret-keys.js';

type Bag = Record<string, unknown>;

function isObject(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null;
}

/**
 * True for an axios error or response, or anything shaped like one (an object with a request
 * `config` plus a `request` or `response`). Such objects carry the request headers
 * (`Authorization`), the form body (`client_secret=...&code=...`) and a live socket, so they are
 * summarised by {@link summarizeHttpError} instead of being walked.
 */
export function isHttpExchangeLike(value: object): boolean {
  const v = value as Bag;
  if (v.isAxiosError === true) return true;
  const config = v.config;
  if (!isObject(config)) return false;
  const hasRequestShape = 'headers' in config || 'url' in config || 'method' in config;
  return hasRequestShape && ('request' in v || 'response' in v);
}

function joinUrl(baseURL: unknown, url: unknown): string | undefined {
  const path = typeof url === 'string' ? url : undefined;
  const base = typeof baseURL === 'string' ? baseURL : undefined;
  if (path !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  if (base === undefined) return path;
  if (path === undefined || path === '') return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function firstBrokerError(data: unknown): { code?: string; message?: string } {
  if (!isObject(data) || !Array.isArray(data.errors)) return {};
  const first: unknown = data.errors[0];
  if (!isObject(first)) return {};
  // Upstox sends snake_case and the deprecated camelCase spelling; snake_case wins.
  const code = first.error_code ?? first.errorCode;
  const message = first.message;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/**
 * Reduces an axios-like error or response to a safe summary: `name`, `message`, `code`
 * (only when error-code shaped, e.g. `ERR_BAD_REQUEST`, `ECONNREFUSED`), `method`, `url`
 * (base URL joined, secret query parameters redacted), `status`, and Upstox's first
 * `brokerCode`/`brokerMessage`. Headers, request/response bodies, `invalid_value` and the
 * socket are never copied. Does not modify `value`.
 *
 * @param redactString applied to every copied string (message, url, broker message).
 */
export function summarizeHttpError(value: object, redactString: (text: string) => string): Bag {
  const v = value as Bag;
  const out: Bag = {};
  if (v instanceof Error || typeof v.name === 'string') out.name = redactString(String(v.name));
  if (typeof v.message === 'string') out.message = redactString(v.message);
  if (isErrorCodeValue(v.code)) out.code = v.code;

  const config = isObject(v.config) ? v.config : {};
  if (typeof config.method === 'string') out.method = config.method.toUpperCase();
  const url = joinUrl(config.baseURL, config.url);
  if (url !== undefined) out.url = redactString(url);

  // An axios error holds the response under `response`; an axios response is itself one.
  const response = isObject(v.response) ? v.response : 'status' in v && 'data' in v ? v : undefined;
  if (response !== undefined) {
    if (typeof response.status === 'number') out.status = response.status;
    const broker = firstBrokerError(response.data);
    if (broker.code !== undefined) out.brokerCode = redactString(broker.code);
    if (broker.message !== undefined) out.brokerMessage = redactString(broker.message);
  }
  return out;
}
