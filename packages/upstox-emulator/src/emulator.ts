import {
  EmulatorCore,
  type GenerateTokenOptions,
  type IssueTokenOptions,
  type StaticIpsOptions,
} from './core.js';
import type { EmulatorClock } from './emulator-clock.js';
import { resolveOptions } from './options.js';
import { DIALOG_PATH } from './routes/login-routes.js';
import { startServer } from './server.js';
import type {
  EmulatorApp,
  EmulatorUser,
  Fault,
  GeneratedToken,
  PendingTokenRequest,
  RequestLogEntry,
  ResolvedApp,
  ResolvedUser,
  TokenResponseBody,
  UpstoxEmulatorOptions,
  WebhookDelivery,
} from './types.js';

/** Parameters of {@link UpstoxEmulator.authorizeUrl}. */
export interface AuthorizeUrlOptions {
  /** Default: the default app. */
  clientId?: string;
  /** Default: the app's first registered redirect URI. */
  redirectUri?: string;
  /** Sent as `state` when given. */
  state?: string;
}

/** A running emulator. Everything here acts on the same state as the HTTP control routes. */
export interface UpstoxEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123` (use it as the Upstox base URL). */
  readonly url: string;
  /** Bound TCP port. */
  readonly port: number;
  /** Bound interface. */
  readonly host: string;
  /** The emulator's clock (every expiry, window and `Date` header uses it). */
  readonly clock: EmulatorClock;
  /** Every request received except control routes, oldest first (live array; secrets kept verbatim). */
  readonly requests: readonly RequestLogEntry[];
  /** Every webhook delivery, oldest first (live array). */
  readonly deliveries: readonly WebhookDelivery[];
  /** The first configured app (the default test app unless `apps` was given). */
  readonly defaultApp: ResolvedApp;
  /** The first configured user (the default test user unless `users` was given). */
  readonly defaultUser: ResolvedUser;
  /** Stops the server, destroying open connections (hanging ones included). Idempotent. */
  close(): Promise<void>;
  /** The dialog URL a browser would open to log in (`response_type=code` included). */
  authorizeUrl(options?: AuthorizeUrlOptions): string;
  /**
   * Approves the pending v3 request of `clientId` (default: the default app) and resolves with the
   * webhook delivery (status code or error).
   * @throws InputError when none is pending; AuthError `HFT_AUTH_TIMEOUT` when it has expired.
   */
  approve(clientId?: string): Promise<WebhookDelivery>;
  /**
   * Rejects the pending v3 request of `clientId` (default: the default app); nothing is sent.
   * @throws InputError when none is pending.
   */
  reject(clientId?: string): PendingTokenRequest;
  /** v3 requests that can still be approved, oldest first. */
  pendingRequests(): PendingTokenRequest[];
  /**
   * Mints a token as if the user had logged in (default: the default app and its owner) and
   * returns the token response body.
   * @throws InputError when the app or user is unknown.
   */
  issueToken(options?: IssueTokenOptions): Promise<TokenResponseBody>;
  /**
   * Generates an analytics token (1 year, GET only; revokes the user's previous one) or a sandbox
   * token (30 days, sandbox host only), as My Apps would (default: the default app and its owner).
   * @throws InputError (argument `kind`, `clientId` or `userId`).
   */
  generateToken(options: GenerateTokenOptions): Promise<GeneratedToken>;
  /**
   * Registers a user's static IPs (`ips`: primary, then optional secondary; `[]` clears them), as
   * set-up: no weekly limit, no token invalidation (that is `PUT /v2/user/ip`).
   * @throws InputError (argument `userId` or `ips[i]`).
   */
  setStaticIps(options: StaticIpsOptions): ResolvedUser;
  /** Revokes a token of any kind; false when the emulator never issued it. */
  revoke(accessToken: string): boolean;
  /**
   * Sets the fault of a route key (`'POST /v2/login/authorization/token'`, a concrete path, or `'*'`).
   * @throws InputError when the key or fault is invalid.
   */
  setFault(route: string, fault: Fault): void;
  /** Removes every fault. */
  clearFaults(): void;
  /**
   * Adds or updates an app (given fields replace; `notifierUrl: null` removes it).
   * @throws InputError naming the field at fault.
   */
  upsertApp(app: Partial<EmulatorApp> & { clientId: string }): ResolvedApp;
  /**
   * Adds or updates a user (given fields replace).
   * @throws InputError naming the field at fault.
   */
  upsertUser(user: Partial<EmulatorUser> & { userId: string }): ResolvedUser;
  /** Empties {@link UpstoxEmulator.requests}. */
  clearRequests(): void;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a local Upstox login/token server.
 *
 * Defaults: port 0 (a free port) on 127.0.0.1, the default app and user (see `DEFAULT_APP`,
 * `DEFAULT_USER`), the system clock, 10-minute codes, Upstox's published rate limits.
 *
 * @throws InputError (`HFT_INPUT_INVALID`, `details.argument` naming the field) for invalid options
 *   or a port that cannot be bound.
 */
export async function startUpstoxEmulator(options: UpstoxEmulatorOptions = {}): Promise<UpstoxEmulator> {
  const resolved = resolveOptions(options);
  const core = new EmulatorCore(resolved);
  const server = await startServer(core, resolved.port, resolved.host, resolved.onRequest);
  const url = `http://${hostForUrl(resolved.host)}:${server.port}`;
  return {
    url,
    port: server.port,
    host: resolved.host,
    clock: core.clock,
    requests: core.requests,
    deliveries: core.deliveries,
    get defaultApp() {
      return core.defaultApp;
    },
    get defaultUser() {
      return core.defaultUser;
    },
    close: () => server.close(),
    authorizeUrl(opts = {}) {
      const app = core.apps.get(opts.clientId ?? core.defaultApp.clientId);
      const params = new URLSearchParams({
        client_id: opts.clientId ?? core.defaultApp.clientId,
        redirect_uri: opts.redirectUri ?? app?.redirectUris[0] ?? '',
        response_type: 'code',
      });
      if (opts.state !== undefined) params.set('state', opts.state);
      return `${url}${DIALOG_PATH}?${params}`;
    },
    approve: (clientId) => core.approve(clientId),
    reject: (clientId) => core.reject(clientId),
    pendingRequests: () => core.pendingRequests(),
    issueToken: (opts) => core.issueToken(opts),
    generateToken: (opts) => core.generateToken(opts),
    setStaticIps: (opts) => core.setStaticIps(opts),
    revoke: (token) => core.tokens.revoke(token),
    setFault: (route, fault) => core.faults.set(route, fault),
    clearFaults: () => core.faults.clear(),
    upsertApp: (app) => core.upsertApp(app),
    upsertUser: (user) => core.upsertUser(user),
    clearRequests: () => {
      core.requests.length = 0;
    },
  };
}
