/** Upstox's production API host (login, profile, everything but order writes). */
export const DEFAULT_BASE_URL = 'https://api.upstox.com';
/** Upstox's low-latency host for order place/modify/cancel. */
export const DEFAULT_ORDER_BASE_URL = 'https://api-hft.upstox.com';

/** Upstox's sandbox host (sandbox order APIs, sandbox tokens only). */
export const DEFAULT_SANDBOX_BASE_URL = 'https://api-sandbox.upstox.com';

/** Paths of the login and account endpoints this package calls. */
export const UpstoxPaths = {
  authorize: '/v2/login/authorization/dialog',
  token: '/v2/login/authorization/token',
  profile: '/v2/user/profile',
  logout: '/v2/logout',
  staticIps: '/v2/user/ip',
  marketFeedAuthorize: '/v3/feed/market-data-feed/authorize',
  portfolioFeedAuthorize: '/v2/feed/portfolio-stream-feed/authorize',
  tokenRequest: (clientId: string) => `/v3/login/auth/token/request/${encodeURIComponent(clientId)}`,
  holdings: '/v2/portfolio/long-term-holdings',
  ltp: '/v2/market-quote/ltp',
  orderCancel: '/v2/order/cancel',
} as const;

/** Upstox error codes this package reacts to. */
export const UpstoxErrorCodes = {
  /** Invalid token (expired, revoked, wrong): re-authenticate. HTTP 401. */
  INVALID_TOKEN: 'UDAPI100050',
  /** Too many requests. HTTP 429. */
  RATE_LIMITED: 'UDAPI10005',
  /** Invalid (bad, spent or expired) auth code. */
  INVALID_AUTH_CODE: 'UDAPI100057',
  /** Invalid credentials. */
  INVALID_CREDENTIALS: 'UDAPI100016',
  /** API not permitted with an extended token. */
  EXTENDED_TOKEN_NOT_ALLOWED: 'UDAPI100067',
  /** Static IP restriction. HTTP 403. */
  STATIC_IP: 'UDAPI1154',
} as const;
