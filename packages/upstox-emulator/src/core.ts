import { AuthError, ErrorCodes, InputError } from '@hft/errors';
import { argumentError, assertPlainObject, invalidArgument } from '@hft/errors/assert';
import { tokenExpiry } from '@hft/time/core';
import { AuthCodeStore } from './auth-codes.js';
import { createEmulatorClock, type EmulatorClock } from './emulator-clock.js';
import { FaultRegistry } from './faults.js';
import { type ResolvedOptions, resolveApp, resolveUser } from './options.js';
import { profileFields } from './profile-fields.js';
import { FixedWindowLimiter } from './rate-limiter.js';
import { isIpAddress, type StaticIpTimes } from './static-ips.js';
import type { HostRole } from './token-access.js';
import { TokenRequestStore } from './token-requests.js';
import { type GeneratedTokenKind, TokenRegistry } from './tokens.js';
import type {
  EmulatorApp,
  EmulatorUser,
  GeneratedToken,
  PendingTokenRequest,
  RequestLogEntry,
  ResolvedApp,
  ResolvedUser,
  TokenResponseBody,
  WebhookDelivery,
  WebhookPayload,
} from './types.js';
import { postWebhook } from './webhook.js';

/** Rate-limit categories: order APIs (combined per user), other APIs (per user and API), login (per app). */
export type RateCategory = 'order' | 'standard' | 'login';

/** Selects a token for {@link EmulatorCore.issueToken}. */
export interface IssueTokenOptions {
  /** App the token is for. Default: the default app. */
  clientId?: string;
  /** User the token is for. Default: the app's owner. */
  userId?: string;
}

/** Selects the kind, app and user for {@link EmulatorCore.generateToken}. */
export interface GenerateTokenOptions {
  /** `analytics` (1 year, GET only, one per account) or `sandbox` (30 days, sandbox host only). */
  kind: GeneratedTokenKind;
  /** App the token is generated in. Default: the default app. */
  clientId?: string;
  /** User the token is for. Default: the app's owner. */
  userId?: string;
}

/** Sets a user's registered static IPs for {@link EmulatorCore.setStaticIps}. */
export interface StaticIpsOptions {
  /** Default: the default user. */
  userId?: string;
  /** Primary IP first, then the optional secondary: 0 to 2 IPv4/IPv6 addresses. */
  ips: string[];
}

/** All mutable state of one emulator and the operations shared by routes and the programmatic API. */
export class EmulatorCore {
  readonly clock: EmulatorClock;
  readonly apps = new Map<string, ResolvedApp>();
  readonly users = new Map<string, ResolvedUser>();
  readonly codes: AuthCodeStore;
  readonly tokens: TokenRegistry;
  readonly faults = new FaultRegistry();
  readonly tokenRequests = new TokenRequestStore();
  readonly deliveries: WebhookDelivery[] = [];
  readonly requests: RequestLogEntry[] = [];
  /** Id of the next request log entry (ids keep growing when the log is cleared). */
  nextRequestId = 1;
  readonly limiters: Record<RateCategory, FixedWindowLimiter> | null;
  readonly webhookTimeoutMs: number;
  /** When the users' static IPs were (notionally) registered: the emulator's start. */
  readonly ipUpdatedAt: number;
  /** Per-user static-IP timestamps once they were set or changed (otherwise {@link ipUpdatedAt}). */
  readonly ipTimes = new Map<string, StaticIpTimes>();
  /** The host this emulator plays. */
  readonly hostRole: HostRole;
  #orderSeq = 0;
  readonly #defaultClientId: string;
  readonly #defaultUserId: string;

  constructor(options: ResolvedOptions) {
    this.clock = createEmulatorClock(options.clock);
    for (const user of options.users) this.users.set(user.userId, user);
    for (const app of options.apps) this.apps.set(app.clientId, app);
    this.#defaultClientId = options.apps[0]!.clientId;
    this.#defaultUserId = options.users[0]!.userId;
    this.codes = new AuthCodeStore(this.clock, options.codeTtlMs);
    this.tokens = new TokenRegistry(this.clock, options.extendedTokenTtlMs);
    for (const [key, fault] of Object.entries(options.faults)) this.faults.set(key, fault);
    const limits = options.rateLimits;
    this.limiters = limits
      ? {
          order: new FixedWindowLimiter(limits.order, this.clock),
          standard: new FixedWindowLimiter(limits.standard, this.clock),
          login: new FixedWindowLimiter(limits.login, this.clock),
        }
      : null;
    this.webhookTimeoutMs = options.webhookTimeoutMs;
    this.ipUpdatedAt = this.clock.now();
    this.hostRole = options.sandbox ? 'sandbox' : 'live';
  }

  /** The static-IP timestamps of `userId`. */
  staticIpTimes(userId: string): StaticIpTimes {
    return this.ipTimes.get(userId) ?? { primaryAt: this.ipUpdatedAt, secondaryAt: this.ipUpdatedAt };
  }

  /** The next order id: `yyMMdd` of the IST day plus a 9-digit sequence, like Upstox's. */
  nextOrderId(): string {
    const ist = new Date(this.clock.now() + 5.5 * 3_600_000).toISOString();
    this.#orderSeq += 1;
    return `${ist.slice(2, 4)}${ist.slice(5, 7)}${ist.slice(8, 10)}${String(this.#orderSeq).padStart(9, '0')}`;
  }

  #appAndUser(clientId: string | undefined, userId: string | undefined): [ResolvedApp, ResolvedUser] {
    const app = this.apps.get(clientId ?? this.#defaultClientId);
    if (!app) throw argumentError('clientId', 'names no configured app');
    const user = this.users.get(userId ?? app.ownerUserId);
    if (!user) throw argumentError('userId', 'names no configured user');
    return [app, user];
  }

  /**
   * Mints an analytics or sandbox token as My Apps' "Generate" would (no OAuth). A new analytics
   * token revokes the user's previous one.
   * @throws InputError (argument `kind`, `clientId` or `userId`) for an unknown kind, app or user.
   */
  async generateToken(options: GenerateTokenOptions): Promise<GeneratedToken> {
    const kind = (options as Partial<GenerateTokenOptions> | undefined)?.kind;
    if (kind !== 'analytics' && kind !== 'sandbox') {
      throw invalidArgument('kind', "'analytics' or 'sandbox'");
    }
    const [app, user] = this.#appAndUser(options.clientId, options.userId);
    const record = await this.tokens.generate(kind, app, user);
    return {
      token: record.token,
      kind,
      clientId: record.clientId,
      userId: record.userId,
      issuedAt: record.issuedAt,
      expiresAt: record.expiresAt,
    };
  }

  /**
   * Registers a user's static IPs as the test set-up would (My Apps), stamped now. Unlike
   * `PUT /v2/user/ip` it neither counts against the weekly change nor invalidates tokens.
   * @throws InputError (argument `userId` or `ips[i]`) for an unknown user or a bad address.
   */
  setStaticIps(options: StaticIpsOptions): ResolvedUser {
    const userId = options?.userId ?? this.#defaultUserId;
    const current = this.users.get(userId);
    if (!current) throw argumentError('userId', 'names no configured user');
    const ips: unknown = options?.ips;
    if (!Array.isArray(ips) || ips.length > 2) {
      throw invalidArgument('ips', 'an array of at most 2 IP addresses');
    }
    ips.forEach((ip, i) => {
      if (typeof ip !== 'string' || !isIpAddress(ip)) {
        throw invalidArgument(`ips[${i}]`, 'an IPv4 or IPv6 address');
      }
    });
    const user: ResolvedUser = { ...current, primaryIp: ips[0] ?? null, secondaryIp: ips[1] ?? null };
    this.users.set(userId, user);
    const now = this.clock.now();
    this.ipTimes.set(userId, { ...this.ipTimes.get(userId), primaryAt: now, secondaryAt: now });
    return user;
  }

  /** The first configured app. */
  get defaultApp(): ResolvedApp {
    return this.apps.get(this.#defaultClientId)!;
  }

  /** The first configured user. */
  get defaultUser(): ResolvedUser {
    return this.users.get(this.#defaultUserId)!;
  }

  /** Counts one request; false when the category's budget for `key` is spent. */
  allow(category: RateCategory, key: string): boolean {
    return this.limiters ? this.limiters[category].take(key) : true;
  }

  /**
   * Adds an app, or updates the one with the same `clientId` (given fields replace the old ones;
   * `notifierUrl: null` removes it).
   * @throws InputError naming the field at fault.
   */
  upsertApp(input: Partial<EmulatorApp> & { clientId: string }): ResolvedApp {
    assertPlainObject(input as unknown, 'app');
    const current = typeof input.clientId === 'string' ? this.apps.get(input.clientId) : undefined;
    const app = resolveApp({ ...current, ...input }, 'app', new Set(this.users.keys()));
    this.apps.set(app.clientId, app);
    return app;
  }

  /**
   * Adds a user, or updates the one with the same `userId` (given fields replace the old ones).
   * @throws InputError naming the field at fault.
   */
  upsertUser(input: Partial<EmulatorUser> & { userId: string }): ResolvedUser {
    assertPlainObject(input as unknown, 'user');
    const current = typeof input.userId === 'string' ? this.users.get(input.userId) : undefined;
    const user = resolveUser({ ...current, ...input }, 'user');
    for (const other of this.users.values()) {
      if (other.userId !== user.userId && other.mobile === user.mobile) {
        throw argumentError('user.mobile', 'repeats the mobile number of another user');
      }
    }
    this.users.set(user.userId, user);
    return user;
  }

  /** The user whose mobile number is `mobile`. */
  userByMobile(mobile: string): ResolvedUser | undefined {
    for (const user of this.users.values()) if (user.mobile === mobile) return user;
    return undefined;
  }

  /** Mints an access token (and the extended token, if the app gets one) and builds the flat token body. */
  async tokenBody(app: ResolvedApp, user: ResolvedUser, refreshExtended = false): Promise<TokenResponseBody> {
    const access = await this.tokens.mintAccess(app, user);
    const body: TokenResponseBody = { ...profileFields(user), access_token: access.token };
    if (app.extendedToken)
      body.extended_token = (await this.tokens.extendedToken(app, user, refreshExtended)).token;
    return body;
  }

  /**
   * Mints a token as if the user had logged in and exchanged a code (no code, no checks).
   * @throws InputError (argument `clientId` or `userId`) when the app or user is unknown.
   */
  async issueToken(options: IssueTokenOptions = {}): Promise<TokenResponseBody> {
    const [app, user] = this.#appAndUser(options.clientId, options.userId);
    return this.tokenBody(app, user);
  }

  /** Records a v3 access token request for `app` (superseding an earlier one). */
  requestToken(app: ResolvedApp, notifierUrl: string): PendingTokenRequest {
    const requestedAt = this.clock.now();
    return this.tokenRequests.create({
      clientId: app.clientId,
      userId: app.ownerUserId,
      requestedAt,
      authorizationExpiry: tokenExpiry(requestedAt),
      notifierUrl,
    });
  }

  /** Requests that can still be approved, oldest first. */
  pendingRequests(): PendingTokenRequest[] {
    return this.tokenRequests.live(this.clock.now()).map((r) => ({ ...r }));
  }

  #pending(clientId: string | undefined): PendingTokenRequest {
    const id = clientId ?? this.#defaultClientId;
    const request = this.tokenRequests.forClient(id);
    if (!request) {
      throw new InputError(`no access token request is pending for client ${id}`, {
        details: { argument: 'clientId' },
      });
    }
    return request;
  }

  /**
   * Approves a pending request: mints an access token for the app's owner, POSTs the documented
   * payload to the app's notifier URL and records the delivery.
   * @throws AuthError `HFT_AUTH_TIMEOUT` when the request is past its authorization expiry.
   */
  async approveRequest(request: PendingTokenRequest): Promise<WebhookDelivery> {
    if (this.clock.now() >= request.authorizationExpiry) {
      throw new AuthError(
        ErrorCodes.AUTH_TIMEOUT,
        `the access token request of client ${request.clientId} expired at its authorization expiry`,
      );
    }
    this.tokenRequests.remove(request);
    const app = this.apps.get(request.clientId);
    const user = this.users.get(request.userId);
    if (!app || !user) {
      throw new InputError(`client ${request.clientId} or its owner no longer exists`, {
        details: { argument: 'clientId' },
      });
    }
    const access = await this.tokens.mintAccess(app, user);
    const payload: WebhookPayload = {
      client_id: app.clientId,
      user_id: user.userId,
      access_token: access.token,
      token_type: 'Bearer',
      expires_at: String(access.expiresAt),
      issued_at: String(access.issuedAt),
      message_type: 'access_token',
    };
    const notifierUrl = app.notifierUrl ?? request.notifierUrl;
    const time = this.clock.now();
    const outcome = await postWebhook(notifierUrl, payload, this.webhookTimeoutMs);
    const delivery: WebhookDelivery = {
      requestId: request.id,
      clientId: app.clientId,
      userId: user.userId,
      notifierUrl,
      payload,
      time,
      ...outcome,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  /**
   * Approves the request of `clientId` (default: the default app).
   * @throws InputError when none is pending; AuthError `HFT_AUTH_TIMEOUT` when it expired.
   */
  approve(clientId?: string): Promise<WebhookDelivery> {
    try {
      return this.approveRequest(this.#pending(clientId));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Rejects (discards) the request of `clientId` (default: the default app); nothing is delivered.
   * @throws InputError when none is pending.
   */
  reject(clientId?: string): PendingTokenRequest {
    const request = this.#pending(clientId);
    this.tokenRequests.remove(request);
    return { ...request };
  }
}
