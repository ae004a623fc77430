import { AuthError, BrokerError, ErrorCodes, NetworkError } from '@hft/errors';
import axios, {
  type AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';
import { DEFAULT_READ_KINDS } from '../token-kinds.js';
import type { TokenKind } from '../token-record.js';
import { isTokenRejection } from '../token-rejection.js';
import { kindLabel } from '../token-usable.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_ORDER_BASE_URL,
  DEFAULT_SANDBOX_BASE_URL,
  UpstoxErrorCodes,
} from '../upstox/endpoints.js';
import {
  brokerError,
  DEFAULT_TIMEOUT_MS,
  flattenHeaders,
  nonJsonError,
  transportError,
} from '../upstox/http.js';
import {
  carriesAlgoName,
  pathOf,
  type RequestCategory,
  requestCategory,
  usesOrderHost,
} from './request-category.js';
import { createClientThrottle, type SharedRateLimitOptions } from './shared-throttle.js';
import type { ClientRateLimits } from './throttle.js';
import { type PickedToken, tokenPicker } from './token-picker.js';

/** What the client needs from a token holder; `TokenManager` provides it. */
export interface AccessTokenProvider {
  /** The current daily token, synchronously (throws `AuthError` when there is none). */
  getAccessToken(): string;
  /** Reports that Upstox rejected `accessToken` (only the kind it is of). */
  markInvalidated(accessToken: string): void;
  /** Calls `listener` when a new daily token arrives; returns an unsubscribe function. */
  onTokenRotated(listener: (accessToken: string) => void): () => void;
  /** The valid token of `kind`, or `undefined`. Without it the client sends daily tokens only. */
  peekToken?(kind: TokenKind): string | undefined;
  /** The token of `kind`, or the `AuthError` saying why there is none. */
  getToken?(kind: TokenKind): string;
}

/** Per-request options the client reads from the axios request config. */
export interface HftRequestConfig {
  /** Send this kind of token and no other (no fallback). */
  hftKind?: TokenKind;
}

/** Options of {@link createUpstoxClient}. */
export interface UpstoxClientOptions {
  /** API base URL. Default `https://api.upstox.com`. */
  baseUrl?: string;
  /** Host of the order paths marked `orderHost` in `ORDER_PATHS` (place/modify/cancel). Default `https://api-hft.upstox.com`. */
  orderBaseUrl?: string;
  /** Per-request timeout in ms. Default 10 000. */
  timeoutMs?: number;
  /** Client-side throttling per bucket. Default: Upstox's published limits for both buckets. */
  rateLimits?: ClientRateLimits;
  /**
   * Count the buckets per user in shared counters, so every process of the user stays within one
   * budget. Default: on when the source's store offers counters (`store.rateLimits`: the Redis
   * store), with the outage policy closed for orders and open for reads; `false` keeps
   * per-process buckets.
   */
  sharedRateLimits?: SharedRateLimitOptions | false;
  /** Retries of idempotent requests on 429, 5xx and network failures. Default 2. */
  retries?: number;
  /** First backoff delay in ms (doubles, with jitter). Default 250. */
  retryBaseDelayMs?: number;
  /** Largest wait before a retry in ms, `Retry-After` included. Default 10 000. */
  maxRetryDelayMs?: number;
  /**
   * After a 401 `UDAPI100050`, how long an idempotent request waits for a new token (another
   * process logging in) before failing, in ms. It is replayed at most once. Default 0: replay
   * only if a newer token is already there.
   */
  replayWaitMs?: number;
  /** Sent as `X-Algo-Name` on every order path of `ORDER_PATHS` (required for algo apps since 2026-04-01). */
  algoName?: string;
  /**
   * The kinds a read-only (GET, non-order) request may use, in order of preference: the first
   * valid one is sent, and a refusal (401, or UDAPI100067 "not permitted with this token") moves
   * to the next. Default `['daily', 'extended', 'analytics']`; `false`: daily only. Orders and
   * every other method always send the daily token.
   */
  readKinds?: readonly TokenKind[] | false;
  /**
   * A sandbox client: every request goes to the sandbox host (`baseUrl` defaults to
   * `https://api-sandbox.upstox.com`) with the sandbox token, and nothing else. Default false.
   */
  sandbox?: boolean;
}

interface HftRequestState {
  token: string;
  kind: TokenKind;
  category: RequestCategory;
  attempt: number;
  /** Tokens sent and refused (401) in this request; a replay never sends one again. */
  used: string[];
  /** Kinds Upstox said may not make this call (UDAPI100067). */
  refused: TokenKind[];
}

type HftConfig = InternalAxiosRequestConfig & HftRequestConfig & { hftState?: HftRequestState };

// A request replays at most this many times after token refusals (one per fallback kind, and one
// for a newer daily token).
const MAX_TOKEN_REPLAYS = 3;

const IDEMPOTENT = new Set(['get', 'head', 'options']);

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An axios instance for trading code, wired to a {@link AccessTokenProvider}:
 *
 * - `Authorization: Bearer` from the hot path (synchronous, no I/O), `Api-Version: 2.0` on v2
 *   paths, order place/modify/cancel sent to the order host, `X-Algo-Name` on orders;
 * - client-side throttling to Upstox's published limits (orders separately);
 * - 401 `UDAPI100050` marks the token invalid (the source emits `invalidated`) and rejects with
 *   `AuthError`; idempotent requests are replayed once, and only with a newer token;
 * - idempotent requests are retried on 429 / 5xx / network failures with backoff honouring
 *   `Retry-After`; a non-idempotent request (an order) is never retried;
 * - every failure is an `HftError` (`BrokerError`, `NetworkError`, `AuthError`): a raw axios
 *   error would carry the token in its request headers.
 */
export function createUpstoxClient(
  source: AccessTokenProvider,
  options: UpstoxClientOptions = {},
): AxiosInstance {
  const sandbox = options.sandbox === true;
  const baseUrl = options.baseUrl ?? (sandbox ? DEFAULT_SANDBOX_BASE_URL : DEFAULT_BASE_URL);
  const pickToken = tokenPicker(source, options.readKinds, sandbox);
  const orderBaseUrl = options.orderBaseUrl ?? (sandbox ? baseUrl : DEFAULT_ORDER_BASE_URL);
  const retries = options.retries ?? 2;
  const baseDelay = options.retryBaseDelayMs ?? 250;
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  const replayWaitMs = options.replayWaitMs ?? 0;
  const throttle = createClientThrottle(source, options);
  const transport = axios.getAdapter(axios.defaults.adapter);
  let bearerOf = '';
  let bearer = '';
  // The token, headers and host of one attempt, set just before it is sent (after any wait for
  // the limiter, so a token that rotated meanwhile is not sent).
  const prepare = (config: HftConfig, path: string, state: HftRequestState): void => {
    const read = state.category !== 'order' && (config.method === undefined || config.method === 'get');
    const picked = pickToken(read, config.hftKind, state);
    state.token = picked.token;
    state.kind = picked.kind;
    if (picked.token !== bearerOf) {
      bearerOf = picked.token;
      bearer = `Bearer ${picked.token}`;
    }
    config.headers.set('Authorization', bearer);
    if (path.startsWith('/v2/')) config.headers.set('Api-Version', '2.0', false);
    if (state.category === 'order') {
      if (usesOrderHost(path) && !/^https?:/i.test(config.url ?? '')) config.baseURL = orderBaseUrl;
      if (options.algoName && carriesAlgoName(path)) config.headers.set('X-Algo-Name', options.algoName);
    }
  };
  const send = (config: HftConfig, path: string, state: HftRequestState) => {
    try {
      prepare(config, path, state);
    } catch (error) {
      return Promise.reject(error);
    }
    return transport(config);
  };
  const client = axios.create({
    baseURL: baseUrl,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // Same on every request: set once on the instance rather than per request.
    headers: { Accept: 'application/json' },
    // The client's own work per request is done here, in front of the transport, rather than in
    // a request interceptor: axios then sends without an interceptor chain, and it still runs
    // after every request interceptor a user adds (as ours did, registered first and so run
    // last). Retries and replays come through here again: throttled, and given a token anew.
    adapter: (config) => {
      const hft = config as HftConfig;
      const path = pathOf(hft.url);
      const state: HftRequestState = hft.hftState ?? {
        token: '',
        kind: 'daily',
        category: requestCategory(path),
        attempt: 0,
        used: [],
        refused: [],
      };
      hft.hftState = state;
      const wait = throttle(state.category);
      return wait ? wait.then(() => send(hft, path, state)) : send(hft, path, state);
    },
  });

  client.interceptors.response.use(
    (response: AxiosResponse) => {
      // Parsed JSON is an object: only a string body (axios could not parse it) needs a look.
      if (typeof response.data !== 'string') return response;
      const contentType = String(response.headers['content-type'] ?? '');
      if (!/json/i.test(contentType)) {
        throw nonJsonError(endpointOf(response.config), response.status, contentType, response.data);
      }
      return response;
    },
    async (error: unknown) => {
      if (!isAxiosError(error) || !error.config) throw error;
      const config = error.config as HftConfig;
      const state = config.hftState;
      const mapped = mapFailure(error, config);
      if (!state) throw mapped;
      const idempotent = IDEMPOTENT.has((config.method ?? 'get').toLowerCase()) && state.category !== 'order';

      if (mapped instanceof BrokerError && isTokenRejection(mapped)) {
        source.markInvalidated(state.token);
        state.used.push(state.token);
        const label = kindLabel(state.kind);
        const rejected = new AuthError(
          ErrorCodes.AUTH_INVALIDATED,
          `Upstox rejected the ${label} on ${mapped.endpoint} (UDAPI100050: expired, revoked or replaced); log in again`,
          { cause: mapped, details: { kind: state.kind } },
        );
        if (!idempotent || state.used.length > MAX_TOKEN_REPLAYS) throw rejected;
        const read = config.method === undefined || config.method === 'get';
        if (
          !(await replacementToken(source, state, replayWaitMs, () => pickToken(read, config.hftKind, state)))
        )
          throw rejected;
        return client.request(config);
      }

      if (
        mapped instanceof BrokerError &&
        mapped.brokerCode === UpstoxErrorCodes.EXTENDED_TOKEN_NOT_ALLOWED
      ) {
        state.refused.push(state.kind);
        const read = config.method === undefined || config.method === 'get';
        const fallback = idempotent && read && config.hftKind === undefined && !sandbox;
        // A daily token that died during this request may still be replaced (another process
        // logging in): the same wait as after a 401.
        const waitMs = state.used.length > 0 ? replayWaitMs : 0;
        if (
          fallback &&
          (await replacementToken(source, state, waitMs, () => pickToken(read, undefined, state)))
        )
          return client.request(config);
        throw wrongKind(mapped, state, fallback, source);
      }

      const retryable =
        mapped.code === ErrorCodes.BROKER_RATE_LIMITED ||
        (mapped instanceof BrokerError && mapped.status >= 500) ||
        mapped instanceof NetworkError;
      if (idempotent && retryable && state.attempt < retries) {
        state.attempt += 1;
        const retryAfter = mapped instanceof BrokerError ? mapped.details.retryAfterSeconds : undefined;
        const backoff = baseDelay * 2 ** (state.attempt - 1) * (0.5 + Math.random());
        await delay(Math.min(retryAfter === undefined ? backoff : retryAfter * 1000, maxDelay));
        return client.request(config);
      }
      throw mapped;
    },
  );
  return client;
}

function endpointOf(config: InternalAxiosRequestConfig | undefined): string {
  return `${(config?.method ?? 'get').toUpperCase()} ${pathOf(config?.url)}`;
}

function mapFailure(error: AxiosError, config: InternalAxiosRequestConfig): BrokerError | NetworkError {
  const endpoint = endpointOf(config);
  const response = error.response;
  if (!response) return transportError(endpoint, error);
  const headers = flattenHeaders(response.headers);
  const contentType = headers['content-type'] ?? '';
  let body: unknown = response.data;
  if (typeof body === 'string') {
    try {
      if (!/json/i.test(contentType)) throw new Error('not JSON');
      body = JSON.parse(body);
    } catch {
      return nonJsonError(endpoint, response.status, contentType, response.data as string);
    }
  }
  return brokerError({ endpoint, status: response.status, headers, body });
}

/**
 * Whether a token other than the ones refused so far can be sent: at once (a newer daily token,
 * or the next kind of the fallback order), else the next daily rotation within `waitMs`.
 */
async function replacementToken(
  source: AccessTokenProvider,
  state: HftRequestState,
  waitMs: number,
  pick: () => PickedToken,
): Promise<boolean> {
  if (canPick(pick)) return true;
  if (waitMs <= 0) return false;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(false);
    }, waitMs);
    const off = source.onTokenRotated((token) => {
      if (state.used.includes(token)) return;
      clearTimeout(timer);
      off();
      resolve(true);
    });
  });
}

function canPick(pick: () => PickedToken): boolean {
  try {
    pick();
    return true;
  } catch {
    return false;
  }
}

/**
 * The typed error for UDAPI100067. When the request fell back because the daily token is dead,
 * that is the real cause: its own error (expired, invalidated), saying the fallback may not make
 * the call. Otherwise `HFT_AUTH_WRONG_TOKEN_KIND`, naming the kind sent and the kinds that may.
 */
function wrongKind(
  cause: BrokerError,
  state: HftRequestState,
  fellBack: boolean,
  source: AccessTokenProvider,
): AuthError {
  const refusal = `the ${[...new Set(state.refused)].join(' and ')} token may not call ${cause.endpoint} (UDAPI100067)`;
  if (fellBack && state.kind !== 'daily') {
    try {
      source.getAccessToken();
    } catch (error) {
      if (
        error instanceof AuthError &&
        (error.code === ErrorCodes.AUTH_EXPIRED || error.code === ErrorCodes.AUTH_INVALIDATED)
      ) {
        return new AuthError(error.code, `${error.message}; ${refusal}`, {
          cause,
          details: { ...error.details, kind: state.kind, refused: [...state.refused] },
        });
      }
    }
  }
  const would = (fellBack ? DEFAULT_READ_KINDS : (['daily'] as const)).filter(
    (kind) => !state.refused.includes(kind),
  );
  return new AuthError(
    ErrorCodes.AUTH_WRONG_TOKEN_KIND,
    `Upstox does not permit ${cause.endpoint} with the ${state.kind} token (UDAPI100067); kinds that may: ${would.join(', ') || 'daily'}`,
    { cause, details: { kind: state.kind, refused: [...state.refused], allowed: would } },
  );
}
