import { type Clock, systemClock } from '@hft/time/core';
import { kindToken } from '../token-kinds.js';
import { accountKey, RECORD_VERSION, type TokenRecord, type TokenSource } from '../token-record.js';
import { BodyReader } from './body-reader.js';
import { UpstoxPaths } from './endpoints.js';

/** Options of {@link processTokenResponse}. */
export interface ProcessTokenOptions {
  /** The API key the token was requested with (part of the account key). */
  clientId: string;
  /** Clock giving the issue time. Default: the system clock. */
  clock?: Clock;
  /** How the token was obtained. Default `oauth`. */
  source?: TokenSource;
  /** Optional account name to record. */
  accountName?: string;
}

/**
 * Validates the body of a successful `POST /v2/login/authorization/token` (flat, no `status`
 * wrapper) field by field and turns it into a {@link TokenRecord}. Pure apart from reading the
 * injected clock. The daily token (and the extended one, when sent) is issued now; each expires
 * by its kind's rule (03:30 IST; one year), made earlier by its JWT `exp` when it is a JWT. Unknown fields are kept in `extra`.
 *
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` naming the field at fault.
 */
export function processTokenResponse(body: unknown, options: ProcessTokenOptions): TokenRecord {
  const endpoint = `POST ${UpstoxPaths.token}`;
  const r = new BodyReader(endpoint, body);
  const accessToken = r.string('access_token');
  const userId = r.string('user_id');
  const extendedToken = r.optionalString('extended_token');
  const userName = r.optionalString('user_name');
  const email = r.optionalString('email');
  const broker = r.optionalString('broker');
  const userType = r.optionalString('user_type');
  const exchanges = r.stringArray('exchanges');
  const products = r.stringArray('products');
  const orderTypes = r.stringArray('order_types');
  const poa = r.optionalBoolean('poa');
  const isActive = r.optionalBoolean('is_active');
  const extra = r.rest();

  const issuedAt = (options.clock ?? systemClock).now();
  const source = options.source ?? 'oauth';
  const record: TokenRecord = {
    version: RECORD_VERSION,
    accountKey: accountKey(options.clientId, userId),
    clientId: options.clientId,
    userId,
    exchanges,
    products,
    orderTypes,
    tokens: { daily: kindToken('daily', accessToken, source, issuedAt, issuedAt) },
  };
  // The extended token comes with the exchange: issued now, living a year (or to its JWT `exp`).
  if (extendedToken)
    record.tokens.extended = kindToken('extended', extendedToken, source, issuedAt, issuedAt);
  if (options.accountName !== undefined) record.accountName = options.accountName;
  if (userName !== undefined) record.userName = userName;
  if (email !== undefined) record.email = email;
  if (broker !== undefined) record.broker = broker;
  if (userType !== undefined) record.userType = userType;
  if (poa !== undefined) record.poa = poa;
  if (isActive !== undefined) record.isActive = isActive;
  if (Object.keys(extra).length > 0) record.extra = extra;
  return record;
}

/** The user profile from `GET /v2/user/profile`. */
export interface UpstoxProfile {
  userId: string;
  userName?: string;
  email?: string;
  broker?: string;
  userType?: string;
  exchanges: string[];
  products: string[];
  orderTypes: string[];
  poa?: boolean;
  ddpi?: boolean;
  isActive?: boolean;
  /** Fields this version does not know, as received. */
  extra: Record<string, unknown>;
}

/**
 * Validates the body of `GET /v2/user/profile` (`{status:"success", data:{...}}`).
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` naming the field at fault.
 */
export function processProfileResponse(body: unknown): UpstoxProfile {
  const outer = new BodyReader(`GET ${UpstoxPaths.profile}`, body);
  outer.skip('status');
  const d = outer.nested('data');
  const profile: UpstoxProfile = {
    userId: d.string('user_id'),
    exchanges: d.stringArray('exchanges'),
    products: d.stringArray('products'),
    orderTypes: d.stringArray('order_types'),
    extra: {},
  };
  const assign = <K extends keyof UpstoxProfile>(key: K, value: UpstoxProfile[K] | undefined) => {
    if (value !== undefined) profile[key] = value;
  };
  assign('userName', d.optionalString('user_name'));
  assign('email', d.optionalString('email'));
  assign('broker', d.optionalString('broker'));
  assign('userType', d.optionalString('user_type'));
  assign('poa', d.optionalBoolean('poa'));
  assign('ddpi', d.optionalBoolean('ddpi'));
  assign('isActive', d.optionalBoolean('is_active'));
  profile.extra = d.rest();
  return profile;
}

/**
 * Validates the body of `DELETE /v2/logout` (`{status:"success", data:true}`); returns `data`.
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` when `data` is not a boolean.
 */
export function processLogoutResponse(body: unknown): boolean {
  const r = new BodyReader(`DELETE ${UpstoxPaths.logout}`, body);
  const data = r.optionalBoolean('data');
  if (data === undefined) throw r.fail('data', 'is missing');
  return data;
}

/** Result of the v3 Access Token Request. */
export interface TokenRequestResult {
  /** When the pending request lapses (epoch ms; 03:30 IST rule). */
  authorizationExpiry: number;
  /** The notifier webhook URL configured on the app, where Upstox will POST the token. */
  notifierUrl: string;
}

/**
 * Validates the body of `POST /v3/login/auth/token/request/{client_id}`.
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` naming the field at fault.
 */
export function processTokenRequestResponse(body: unknown, clientId: string): TokenRequestResult {
  const outer = new BodyReader(`POST ${UpstoxPaths.tokenRequest(clientId)}`, body);
  const d = outer.nested('data');
  return {
    authorizationExpiry: d.epochMsString('authorization_expiry'),
    notifierUrl: d.string('notifier_url'),
  };
}

/** The user's registered static IPs, from `GET /v2/user/ip` (and `PUT`). */
export interface StaticIps {
  /** Primary IP, or `null` when none is registered. */
  primary: string | null;
  /** Secondary IP, or `null` when none is registered. */
  secondary: string | null;
  /** When the primary was set, as Upstox writes it (`yyyy-MM-dd HH:mm:ss`, IST), if it says. */
  primaryUpdatedAt?: string;
  /** When the secondary was set, as Upstox writes it, if it says. */
  secondaryUpdatedAt?: string;
}

/** The answer of `PUT /v2/user/ip`. */
export interface StaticIpChange extends StaticIps {
  /** Upstox invalidated the user's access tokens (it does on every change). */
  accessTokensInvalidated: boolean;
}

function readStaticIps(d: BodyReader): StaticIps {
  const ips: StaticIps = {
    primary: d.optionalString('primary_ip') ?? null,
    secondary: d.optionalString('secondary_ip') ?? null,
  };
  const primaryAt = d.optionalString('primary_ip_updated_at');
  const secondaryAt = d.optionalString('secondary_ip_updated_at');
  if (primaryAt !== undefined) ips.primaryUpdatedAt = primaryAt;
  if (secondaryAt !== undefined) ips.secondaryUpdatedAt = secondaryAt;
  return ips;
}

/**
 * Validates the body of `GET /v2/user/ip` (`{status, data:{primary_ip, secondary_ip, ...}}`).
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` naming the field at fault.
 */
export function processStaticIpsResponse(body: unknown): StaticIps {
  return readStaticIps(new BodyReader(`GET ${UpstoxPaths.staticIps}`, body).nested('data'));
}

/**
 * Validates the body of `PUT /v2/user/ip`: the IPs plus `access_tokens_invalidated`.
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` naming the field at fault.
 */
export function processStaticIpChangeResponse(body: unknown): StaticIpChange {
  const d = new BodyReader(`PUT ${UpstoxPaths.staticIps}`, body).nested('data');
  const ips = readStaticIps(d);
  return { ...ips, accessTokensInvalidated: d.optionalBoolean('access_tokens_invalidated') ?? false };
}

/**
 * Validates the body of a feed authorize call (`{status, data:{authorized_redirect_uri}}`) and
 * returns the single-use `wss://` URL (Upstox's camelCase `authorizedRedirectUri` is read too).
 * @throws BrokerError `HFT_BROKER_INVALID_RESPONSE` when the URL is missing or not `wss://`.
 */
export function processFeedAuthorizeResponse(body: unknown, path: string): string {
  const d = new BodyReader(`GET ${path}`, body).nested('data');
  const url = d.optionalString('authorized_redirect_uri') ?? d.optionalString('authorizedRedirectUri');
  if (url === undefined) throw d.fail('data.authorized_redirect_uri', 'is missing');
  if (!/^wss:\/\/[^/\s]+/i.test(url)) throw d.fail('data.authorized_redirect_uri', 'is not a wss:// URL');
  return url;
}
