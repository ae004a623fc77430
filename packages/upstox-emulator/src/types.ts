import type { Clock } from '@hft/time/core';

/** A registered Upstox developer app, as the emulator knows it. */
export interface EmulatorApp {
  /** The app's API key (`client_id`). Non-empty, no `/`, `?` or `#`. */
  clientId: string;
  /** The app's API secret (`client_secret`). Never echoed in responses or logs. */
  clientSecret: string;
  /** Registered redirect URIs; the dialog and token exchange need an exact match with one of them. */
  redirectUris: string[];
  /** Notifier webhook URL for the v3 access token request flow. Unset or null: the request fails with UDAPI1123. */
  notifierUrl?: string | null | undefined;
  /** The user who owns the app: the account that approves v3 token requests. */
  ownerUserId: string;
  /** False makes every login/token call answer UDAPI100073. Default true. */
  active?: boolean;
  /** False makes the v3 token request answer UDAPI1124 (not an individual user). Default true. */
  individual?: boolean;
  /** Value of the `isMultiClient` claim in issued JWTs. Default false. */
  multiClient?: boolean;
  /** False leaves `extended_token` out of token responses. Default true (issued to all apps since 2026-03-11). */
  extendedToken?: boolean;
  /**
   * Algo names configured on the app (My Apps' Algo Name -> Algo ID mappings). Non-empty marks an
   * algo app: every order request must carry `X-Algo-Name` with one of them. Default `[]`.
   */
  algoNames?: string[];
}

/** A test account that can log in on the emulator's login page. */
export interface EmulatorUser {
  /** Upstox user id (UCC), letters and digits. */
  userId: string;
  /** Display name (`user_name`). */
  userName: string;
  /** `email` in profile and token responses. */
  email: string;
  /** 10-digit mobile number typed on the login page. Unique among users. */
  mobile: string;
  /** 6-digit OTP accepted on the login page. */
  otp: string;
  /** 6-digit PIN accepted on the login page and the approvals page. */
  pin: string;
  /** Default `NSE, NFO, BSE, CDS, BFO, BCD`. */
  exchanges?: string[];
  /** Default `D, CO, I`. */
  products?: string[];
  /** Default `MARKET, LIMIT, SL, SL-M`. */
  orderTypes?: string[];
  /** Default false. */
  poa?: boolean;
  /** Default false (profile only). */
  ddpi?: boolean;
  /** `is_active`. Default true. */
  isActive?: boolean;
  /** False makes the token exchange fail with UDAPI100058 (no active segments). Default true. */
  segmentsActive?: boolean;
  /** Value of the `isPlusPlan` claim. Default false. */
  isPlusPlan?: boolean;
  /** Registered primary static IP (`GET /v2/user/ip`). Default `203.0.113.10`; null = never set. */
  primaryIp?: string | null;
  /** Registered secondary static IP. Default null (never set). */
  secondaryIp?: string | null;
}

/** An app after defaults were applied. */
export type ResolvedApp = Required<Omit<EmulatorApp, 'notifierUrl' | 'algoNames'>> & {
  notifierUrl: string | undefined;
  /** Present when the app was configured with algo names (absent = not an algo app). */
  algoNames?: string[];
};

/** A user after defaults were applied. */
export type ResolvedUser = Required<EmulatorUser>;

/**
 * Limits of one rate-limit category. Each value is the number of requests allowed in that fixed
 * window (a non-negative integer), or null for no limit in that window.
 */
export interface WindowLimits {
  /** Requests per 1-second window. */
  perSecond?: number | null;
  /** Requests per 60-second window. */
  perMinute?: number | null;
  /** Requests per 30-minute window. */
  perThirtyMinutes?: number | null;
}

/** Rate limits by category (see the README). Omitted categories keep their defaults. */
export interface RateLimitOptions {
  /** Order APIs, one combined bucket per user. Default 10 / 500 / 2000 (regular algos). */
  order?: WindowLimits;
  /** Other standard APIs, one bucket per user per API. Default 50 / 500 / 2000. */
  standard?: WindowLimits;
  /** Login/token endpoints, one bucket per client_id. Default: unlimited (Upstox publishes none). */
  login?: WindowLimits;
}

/** A fault injected on a route (see the README, "Fault injection"). */
export interface Fault {
  /** Delay before the route answers (or before another fault applies), in milliseconds. */
  latencyMs?: number;
  /**
   * Without `html`: a 5xx status answered with the UDAPI100500 envelope. With `html`: the status of
   * the HTML page (default 403).
   */
  status?: number;
  /** Answer an HTML page instead of JSON: true for a block page, or the HTML text itself. */
  html?: boolean | string;
  /** Destroy the connection (TCP reset) without answering. */
  reset?: boolean;
  /** Never answer; the connection stays open until the client gives up or the emulator closes. */
  hang?: boolean;
  /**
   * On an order path, the static-IP check refuses the request (403 UDAPI1154) whatever the
   * origin; other routes ignore (and do not consume) this fault.
   */
  ipNotRegistered?: boolean;
  /** Apply this many times, then remove the fault. Default: until cleared. */
  times?: number;
}

/** Options of {@link startUpstoxEmulator}. */
export interface UpstoxEmulatorOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Registered apps; the first is the default app. Default: one app (see `DEFAULT_APP`). */
  apps?: EmulatorApp[];
  /** Test users; the first is the default user. Default: one user (see `DEFAULT_USER`). */
  users?: EmulatorUser[];
  /**
   * Source of "now" for every expiry, rate-limit window, maintenance window and `Date` header.
   * A clock with `set(ms)`/`advance(ms)` (e.g. `createManualClock()`) is driven directly by
   * `POST /_emulator/clock`; any other clock gets an adjustable offset. Default: system clock.
   */
  clock?: Clock;
  /** Faults in force from the start, by route key (`'POST /v2/login/authorization/token'` or `'*'`). */
  faults?: Record<string, Fault>;
  /** Lifetime of authorization codes in ms (by the emulator's clock). Default 600000 (10 minutes). */
  codeTtlMs?: number;
  /** Rate limits, or false to disable them all. Default: Upstox's published limits. */
  rateLimits?: RateLimitOptions | false;
  /** Lifetime of extended tokens in ms. Default 365 days. */
  extendedTokenTtlMs?: number;
  /** Timeout of one webhook delivery in ms. Default 5000. */
  webhookTimeoutMs?: number;
  /**
   * Play the sandbox host (`api-sandbox`): only sandbox tokens, and only the sandbox-enabled order
   * paths (everything else but the control routes answers 404 UDAPI10000). Default false.
   */
  sandbox?: boolean;
  /** Called once per request after the response finished (the bin logs with it). Must not throw. */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One request received by the emulator (control routes under `/_emulator/` excluded). */
export interface RequestLogEntry {
  /** Sequence number from 1. */
  id: number;
  /** HTTP method. */
  method: string;
  /** Path without query. */
  path: string;
  /** Query parameters (a repeated key keeps its first value). */
  query: Record<string, string>;
  /** Request headers, lower-case names. Kept verbatim (Authorization included) for assertions. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed body: an object for JSON/form bodies, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** Emulator clock when the request arrived, epoch ms. */
  time: number;
  /** Route key that matched, e.g. `GET /v2/user/profile`; null for unknown paths. */
  route: string | null;
  /** Status sent; undefined while pending, or when the socket was reset / left hanging. */
  status?: number;
  /** Wall-clock duration in ms until the response finished. */
  durationMs?: number;
}

/** Result of one webhook POST to an app's notifier URL. */
export interface WebhookDelivery {
  /** Id of the v3 access token request that was approved. */
  requestId: string;
  /** App whose notifier URL was called. */
  clientId: string;
  /** User the token belongs to. */
  userId: string;
  /** Where the payload was POSTed. */
  notifierUrl: string;
  /** The JSON payload sent (contains the access token). */
  payload: WebhookPayload;
  /** Emulator clock when the delivery started, epoch ms. */
  time: number;
  /** HTTP status answered by the receiver, when it answered. */
  statusCode?: number;
  /** Why the delivery failed (connection refused, timeout...), when it did not get an answer. */
  error?: string;
}

/** Body POSTed to the notifier URL on approval (documented shape). */
export interface WebhookPayload {
  client_id: string;
  user_id: string;
  access_token: string;
  token_type: 'Bearer';
  /** Epoch ms as a string. */
  expires_at: string;
  /** Epoch ms as a string. */
  issued_at: string;
  message_type: 'access_token';
}

/** The flat body of a successful `POST /v2/login/authorization/token`. */
export interface TokenResponseBody {
  email: string;
  exchanges: string[];
  products: string[];
  broker: 'UPSTOX';
  user_id: string;
  user_name: string;
  order_types: string[];
  user_type: 'individual';
  poa: boolean;
  is_active: boolean;
  access_token: string;
  extended_token?: string;
}

/** A v3 access token request waiting for the account holder. */
export interface PendingTokenRequest {
  /** Emulator-assigned id (used by the approvals page). */
  id: string;
  /** App that asked. */
  clientId: string;
  /** User who must approve (the app's owner). */
  userId: string;
  /** Emulator clock at request time, epoch ms. */
  requestedAt: number;
  /** Epoch ms after which the request can no longer be approved (next 03:30 IST). */
  authorizationExpiry: number;
  /** Notifier URL at request time. */
  notifierUrl: string;
}

/** An analytics or sandbox token made by {@link UpstoxEmulator.generateToken}. */
export interface GeneratedToken {
  /** The token (a JWT whose `exp` is `expiresAt` in seconds). */
  token: string;
  kind: 'analytics' | 'sandbox';
  clientId: string;
  userId: string;
  /** Epoch ms (emulator clock). */
  issuedAt: number;
  /** Epoch ms: issue + 1 year (analytics) or + 30 days (sandbox). */
  expiresAt: number;
}
