import type { EmulatorApp, EmulatorUser, WindowLimits } from './types.js';

/** The test user every emulator has unless `users` is given. Log in with mobile/OTP/PIN below. */
export const DEFAULT_USER: Readonly<Required<EmulatorUser>> = Object.freeze({
  userId: 'EMU001',
  userName: 'Emulator Test User',
  email: 'emulator.user@example.com',
  mobile: '9999999999',
  otp: '123456',
  pin: '123456',
  exchanges: ['NSE', 'NFO', 'BSE', 'CDS', 'BFO', 'BCD'],
  products: ['D', 'CO', 'I'],
  orderTypes: ['MARKET', 'LIMIT', 'SL', 'SL-M'],
  poa: false,
  ddpi: false,
  isActive: true,
  segmentsActive: true,
  isPlusPlan: false,
  primaryIp: '203.0.113.10',
  secondaryIp: null,
});

/** The test app every emulator has unless `apps` is given. Its secret is a fixed, public test value. */
export const DEFAULT_APP: Readonly<EmulatorApp> = Object.freeze({
  clientId: 'emulator-client',
  clientSecret: 'emulator-secret',
  redirectUris: ['http://127.0.0.1:5055/callback'],
  notifierUrl: undefined,
  ownerUserId: DEFAULT_USER.userId,
  active: true,
  individual: true,
  multiClient: false,
  extendedToken: true,
});

/** Upstox's published limits for order APIs (regular algos), combined per user. */
export const DEFAULT_ORDER_LIMITS: Readonly<WindowLimits> = Object.freeze({
  perSecond: 10,
  perMinute: 500,
  perThirtyMinutes: 2000,
});

/** Upstox's published limits for other standard APIs, per user and API. */
export const DEFAULT_STANDARD_LIMITS: Readonly<WindowLimits> = Object.freeze({
  perSecond: 50,
  perMinute: 500,
  perThirtyMinutes: 2000,
});

/** Login/token endpoints: Upstox publishes no limit, so none by default. */
export const DEFAULT_LOGIN_LIMITS: Readonly<WindowLimits> = Object.freeze({
  perSecond: null,
  perMinute: null,
  perThirtyMinutes: null,
});

/** Default authorization code lifetime: 10 minutes. */
export const DEFAULT_CODE_TTL_MS = 10 * 60 * 1000;

/** Extended tokens live one year. */
export const DEFAULT_EXTENDED_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;

/** One webhook POST may take this long before it is recorded as failed. */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;
