import { createInterface } from 'node:readline';
import type { TokenManager, TokenRecord } from '@hft/auth-core';
import { AuthError, ErrorCodes } from '@hft/errors';
import { formatIst, systemClock } from '@hft/time';
import type { CommandContext } from '../context.js';
import { startCountdown } from '../countdown.js';
import { UsageError } from '../exit-codes.js';
import { startCallbackServer } from '../login/callback-server.js';
import { loopbackTarget } from '../login/loopback.js';
import { assertStoreWritable } from '../store-write-check.js';

/** What a login reports: who, and until when (the daily token). */
interface LoggedIn {
  userId: string;
  userName?: string | undefined;
  expiresAt?: number | undefined;
}

const loggedIn = (record: TokenRecord | LoggedIn): LoggedIn =>
  'tokens' in record
    ? { userId: record.userId, userName: record.userName, expiresAt: record.tokens.daily?.expiresAt }
    : record;

interface LoginOptions {
  browser?: boolean;
  paste?: boolean;
  request?: boolean;
  timeout: number;
}

/** `hft login`: loopback callback (default), `--paste`, or `--request` (v3 approval flow). */
export async function run(ctx: CommandContext, options: LoginOptions): Promise<number> {
  if (options.paste && options.request) throw new UsageError('--paste and --request cannot be combined');
  const manager = await ctx.manager();
  // Before the user is sent to Upstox: a token that cannot be stored is a login lost.
  await assertStoreWritable(await ctx.store());
  const deadline = systemClock.now() + options.timeout * 1000;
  const record = loggedIn(
    options.request
      ? await requestFlow(ctx, manager)
      : options.paste
        ? await pasteFlow(ctx, manager, deadline)
        : await browserFlow(ctx, manager, { openBrowser: options.browser !== false, deadline }),
  );
  const until = record.expiresAt === undefined ? '' : `; token valid until ${formatIst(record.expiresAt)}`;
  ctx.output.out(`Logged in as ${record.userId}${record.userName ? ` (${record.userName})` : ''}${until}.`);
  return 0;
}

/** Whole seconds from now until `deadline` (at least 1), for timeout messages. */
function secondsUntil(deadline: number): number {
  return Math.max(1, Math.round((deadline - systemClock.now()) / 1000));
}

function timeoutError(what: string, seconds: number): AuthError {
  return new AuthError(
    ErrorCodes.AUTH_TIMEOUT,
    `No ${what} within ${seconds} s; run hft login again (or raise --timeout)`,
  );
}

/**
 * Waits for `promise` until `deadline`, with a countdown; rejects on timeout or Ctrl-C/SIGTERM.
 * `started` runs once the signal handlers are in place, so whatever it prints (the login URL)
 * can be acted on at once: an interrupt that follows it is always handled.
 */
async function waitUntil<T>(
  ctx: CommandContext,
  promise: Promise<T>,
  deadline: number,
  label: string,
  onTimeout: () => Error,
  abort?: (reason: Error) => void,
  started?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onSignal: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = () => reject(new AuthError(ErrorCodes.AUTH_TIMEOUT, 'Interrupted; nothing was stored'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, deadline - systemClock.now()));
  });
  let stop: (() => void) | undefined;
  try {
    started?.();
    stop = startCountdown(ctx.output, label, deadline);
    return await Promise.race([promise, interrupted]);
  } catch (error) {
    abort?.(error as Error);
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    stop?.();
  }
}

/** How the browser flow shows the login URL. */
export interface BrowserFlowOptions {
  /** Open the system browser. */
  openBrowser: boolean;
  /** When to give up (epoch ms). */
  deadline: number;
  /** Called with the login URL once the callback server listens (the demo plays the browser here). */
  onUrl?: (url: string) => void;
}

/** Runs the loopback login and resolves with the stored record. */
export async function browserFlow(
  ctx: CommandContext,
  manager: TokenManager,
  options: BrowserFlowOptions,
): Promise<TokenRecord> {
  const { openBrowser, deadline } = options;
  const seconds = secondsUntil(deadline);
  const { config } = await ctx.config();
  const target = loopbackTarget(config.credentials.redirectUri as string);
  const url = manager.getAuthorizationUrl();
  let stored: TokenRecord | undefined;
  const server = await startCallbackServer(
    target,
    async (callbackUrl) => {
      stored = await manager.completeLogin(callbackUrl, { requireState: true });
      return `Logged in as ${stored.userId}.`;
    },
    {
      onIgnored: (reason) =>
        ctx.output.note(`hft: ignored a callback that is not this login's (${reason}); still waiting`),
    },
  );
  const announce = () => {
    ctx.output.note(
      `Waiting for the Upstox login callback on http://${target.host === '::1' ? '[::1]' : target.host}:${server.port}${target.path}`,
    );
    ctx.output.note('Open this URL to log in:');
    ctx.output.out(url);
    options.onUrl?.(url);
    if (openBrowser) {
      import('open')
        .then(({ default: open }) => open(url))
        .catch(() => ctx.output.note('(could not open a browser; open the URL above yourself)'));
    }
  };
  try {
    await waitUntil(
      ctx,
      server.result,
      deadline,
      'Waiting for the login in the browser',
      () =>
        new AuthError(
          ErrorCodes.AUTH_TIMEOUT,
          `No login callback arrived within ${seconds} s; run hft login again (or raise --timeout). If the Upstox page showed an error such as UDAPI100068 or "Invalid Credentials", the redirect URI ${config.credentials.redirectUri} is not registered on the app exactly as written (scheme, host, port and path).`,
        ),
      (reason) => server.abort(reason),
      announce,
    );
  } finally {
    await server.close();
  }
  return stored as TokenRecord;
}

async function pasteFlow(ctx: CommandContext, manager: TokenManager, deadline: number): Promise<TokenRecord> {
  const url = manager.getAuthorizationUrl();
  const seconds = secondsUntil(deadline);
  const reader = readLine();
  const line = await waitUntil(
    ctx,
    reader.line,
    deadline,
    'Waiting for the pasted redirect URL',
    () => timeoutError('redirect URL was pasted', seconds),
    () => reader.stop(),
    () => {
      ctx.output.note('Open this URL in any browser and log in:');
      ctx.output.out(url);
      ctx.output.note(
        'Then paste the full URL the browser was redirected to (or just the code) and press Enter:',
      );
    },
  );
  if (line.trim().length === 0) throw new UsageError('Nothing was pasted; run hft login --paste again');
  // The manager reads the URL, its query string or the bare code, and checks any state it carries.
  return manager.completeLogin(line);
}

/**
 * Reads one line from stdin. `stop()` gives up: it releases stdin, so that a login that timed
 * out or was interrupted can exit even while whatever feeds stdin keeps it open.
 */
function readLine(): { line: Promise<string>; stop(): void } {
  const rl = createInterface({ input: process.stdin, terminal: false });
  let done = false;
  const line = new Promise<string>((resolve, reject) => {
    rl.once('line', (text) => {
      done = true;
      rl.close();
      resolve(text);
    });
    rl.once('close', () => {
      if (!done) reject(new UsageError('stdin closed before a redirect URL was pasted'));
    });
  });
  return {
    line,
    stop() {
      done = true;
      rl.close();
      process.stdin.destroy();
    },
  };
}

/** Sends a v3 token request and waits until the approved token reaches the store. */
export async function requestFlow(ctx: CommandContext, manager: TokenManager): Promise<LoggedIn> {
  await manager.load();
  const previous = manager.isTokenValid() ? manager.getAccessToken() : undefined;
  const result = await manager.requestToken();
  ctx.output.note(`Access token request sent. It lapses at ${formatIst(result.authorizationExpiry)}.`);
  ctx.output.note(
    'Approve it in the Upstox app (notification or WhatsApp), or at https://account.upstox.com/developer/apps.',
  );
  ctx.output.note(
    `Upstox will POST the token to your notifier webhook (${result.notifierUrl}); run \`hft webhook serve\` there with this same store.`,
  );
  let off: (() => void) | undefined;
  // The store's watch (or, before the first login of an account, the manager's discovery of
  // it) announces the token the receiver stored.
  const arrived = new Promise<LoggedIn>((resolve) => {
    off = manager.onTokenRotated((token, info) => {
      if (token !== previous)
        resolve({ userId: info.userId, userName: info.userName, expiresAt: info.expiresAt });
    });
  });
  try {
    return await waitUntil(
      ctx,
      arrived,
      result.authorizationExpiry,
      'Waiting for the approved token',
      () =>
        new AuthError(
          ErrorCodes.AUTH_TIMEOUT,
          `The request lapsed at ${formatIst(result.authorizationExpiry)} without an approved token; run hft login --request again`,
        ),
    );
  } finally {
    off?.();
  }
}
