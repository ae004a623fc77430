import type { TokenInfo } from '@hft/auth-core';
import { listAccounts, namesOf } from '@hft/auth-core/store';
import { StorageError } from '@hft/errors';
import { formatIst, nextIstTime, toIstIso } from '@hft/time';
import { accountChosen } from '../account-choice.js';
import { clockFromEnv } from '../clock-source.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { commandSink, type Sink, type WatchEvent, webhookSink } from '../watch/sinks.js';
import { watchAllAccounts } from '../watch/watch-all.js';

interface WatchOptions {
  lead: string;
  all?: boolean;
  webhook?: string[];
  exec?: string[];
  autoRequest?: string;
  probeEvery: number;
}

// A cheap re-read of the store: notices outages (and tokens written by a process whose watch
// notification was lost) within seconds.
const REFRESH_EVERY_MS = 5_000;
// `--all` probes the store with one small read this often (outages), and re-reads the whole
// listing (summaries only) rarely: it covers every account, and changes come from watchAll.
const PROBE_ALL_EVERY_MS = 5_000;
const RESYNC_ALL_EVERY_MS = 5 * 60_000;

function parseLeads(text: string): number[] {
  const leads = text.split(',').map((part) => part.trim());
  if (leads.length === 0 || leads.some((l) => !/^\d+$/.test(l) || Number(l) <= 0)) {
    throw new UsageError('--lead must be a comma-separated list of minutes, e.g. 60,10');
  }
  return leads.map((l) => Number(l) * 60_000);
}

function parseTime(text: string): { hour: number; minute: number } {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new UsageError('--auto-request must be a time of day in IST as HH:MM, e.g. 08:45');
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/**
 * `hft watch`: a long-running process for a server. Emits `expiring` (at each lead time before
 * 03:30 IST), `expired`, `token` (renewed), `invalidated`, and store outages, to every sink: a
 * webhook POST, a shell command, and the log. Optionally sends the v3 token request every day at
 * an IST time when no valid token exists. Keeps running through store outages; exits cleanly on
 * SIGINT/SIGTERM.
 */
export async function run(ctx: CommandContext, options: WatchOptions): Promise<number> {
  const leads = parseLeads(options.lead);
  const autoRequest = options.autoRequest === undefined ? undefined : parseTime(options.autoRequest);
  const { config } = await ctx.config();
  const logger = await ctx.logger();
  const clock = await clockFromEnv(ctx.env);
  const clientId = config.credentials.clientId;
  if (!clientId || !config.credentials.redirectUri) {
    throw new UsageError(
      'hft watch needs UPSTOX_CLIENT_ID and UPSTOX_REDIRECT_URI (and UPSTOX_CLIENT_SECRET for --auto-request)',
    );
  }
  if (autoRequest && !config.credentials.clientSecret) {
    throw new UsageError('--auto-request needs UPSTOX_CLIENT_SECRET');
  }
  const report = (message: string) => {
    ctx.output.note(`hft watch: ${message}`);
    logger.warn(message);
  };
  const sinks: Sink[] = [
    ...(options.webhook ?? []).map((url) => webhookSink(url, report)),
    ...(options.exec ?? []).map((command) => commandSink(command, report)),
  ];
  if (options.all) {
    if (accountChosen(ctx))
      throw new UsageError('--all watches every account: drop --account (or HFT_ACCOUNT)');
    if (autoRequest)
      throw new UsageError('--auto-request needs one account: use --account NAME instead of --all');
    return watchAll(ctx, { clock, leads, sinks, clientId, logger });
  }
  if (config.account === undefined) {
    // Several accounts and none chosen: a usage error now, not a watcher that fails every few seconds.
    const accounts = await listAccounts(await ctx.store(), clientId);
    if (accounts.length > 1) {
      throw new UsageError(
        `${accounts.length} accounts are stored (${namesOf(accounts)}): choose one with --account NAME, or watch them all with --all`,
      );
    }
  }
  const manager = await ctx.manager({ clock, expiringLeadTimesMs: leads });

  // Deliver in order, one event at a time, so sinks see the lifecycle as it happened.
  let queue = Promise.resolve();
  const emit = (event: string, info: TokenInfo | undefined, detail: string | null = null) => {
    const payload: WatchEvent = {
      event,
      account: info?.accountKey ?? manager.accountKey ?? null,
      user_id: info?.userId ?? null,
      expires_at: info?.expiresAt === undefined ? null : toIstIso(info.expiresAt),
      time_left_seconds: info ? Math.floor(info.remainingMs / 1000) : null,
      detail,
      at: toIstIso(clock.now()),
    };
    ctx.output.note(
      `${payload.at} ${event}${payload.account ? ` ${payload.account}` : ''}${detail ? ` (${detail})` : ''}`,
    );
    logger.info(`watch event ${event}`, { ...payload });
    queue = queue.then(() => Promise.all(sinks.map((sink) => sink(payload))).then(() => {}));
  };

  manager.on('expiring', ({ info, leadMs }) =>
    emit('expiring', info, `${leadMs / 60_000} min before expiry`),
  );
  manager.on('expired', ({ info }) => emit('expired', info));
  manager.on('token', ({ info, origin }) => emit('token', info, origin));
  manager.on('invalidated', ({ info, reason }) => emit('invalidated', info, reason));
  manager.on('error', (error) => report(`background error: ${error.message}`));

  let storeDown = false;
  const guarded = async (what: () => Promise<unknown>) => {
    try {
      await what();
      if (storeDown) {
        storeDown = false;
        emit('store-recovered', manager.getTokenInfo());
      }
    } catch (error) {
      if (error instanceof StorageError) {
        if (!storeDown) {
          storeDown = true;
          emit('store-error', manager.getTokenInfo(), error.message);
        }
      } else report(error instanceof Error ? error.message : String(error));
    }
  };

  await guarded(() => manager.load());
  const info = manager.getTokenInfo();
  ctx.output.note(
    info
      ? `Watching ${info.accountKey}: token ${info.isValid && info.expiresAt !== undefined ? `valid until ${formatIst(info.expiresAt)}` : info.expiresAt === undefined ? 'none (no daily token)' : 'expired'}. Ctrl-C to stop.`
      : 'Watching: no token stored yet. Ctrl-C to stop.',
  );

  let nextRequest = autoRequest ? nextIstTime(clock.now(), autoRequest.hour, autoRequest.minute) : undefined;
  let lastRefresh = clock.now();
  let lastProbe = clock.now();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = clock.now();
      manager.checkExpiry();
      if (now - lastRefresh >= REFRESH_EVERY_MS || storeDown) {
        lastRefresh = now;
        await guarded(() => manager.refreshIfNeeded());
      }
      if (
        options.probeEvery > 0 &&
        now - lastProbe >= options.probeEvery * 60_000 &&
        manager.isTokenValid()
      ) {
        lastProbe = now;
        await manager.whoami().catch(() => {});
      }
      if (nextRequest !== undefined && autoRequest && now >= nextRequest) {
        nextRequest = nextIstTime(now, autoRequest.hour, autoRequest.minute);
        if (!manager.isTokenValid()) {
          try {
            const result = await manager.requestToken();
            emit(
              'request-sent',
              manager.getTokenInfo(),
              `approve in the Upstox app before ${formatIst(result.authorizationExpiry)}`,
            );
          } catch (error) {
            report(`auto request failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
    } finally {
      busy = false;
    }
  };
  // A short tick keeps events on time when the clock jumps (a followed emulator clock, a
  // suspended laptop); checkExpiry is cheap and fires each event at most once per token.
  const interval = setInterval(() => void tick(), ctx.env.HFT_CLOCK_SOURCE ? 100 : 1000);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(interval);
  clock.stop();
  await manager.close();
  await queue;
  ctx.output.note('hft watch: stopped');
  return 0;
}

/** `hft watch --all`: every account of the store in one process (see `watch/watch-all.ts`). */
async function watchAll(
  ctx: CommandContext,
  options: {
    clock: Awaited<ReturnType<typeof clockFromEnv>>;
    leads: number[];
    sinks: Sink[];
    clientId: string;
    logger: Awaited<ReturnType<CommandContext['logger']>>;
  },
): Promise<number> {
  const { clock, sinks, logger } = options;
  let queue = Promise.resolve();
  const emit = (event: Omit<WatchEvent, 'at'>) => {
    const payload: WatchEvent = { ...event, at: toIstIso(clock.now()) };
    ctx.output.note(
      `${payload.at} ${payload.event}${payload.account ? ` ${payload.account}` : ''}${payload.detail ? ` (${payload.detail})` : ''}`,
    );
    logger.info(`watch event ${payload.event}`, { ...payload });
    queue = queue.then(() => Promise.all(sinks.map((sink) => sink(payload))).then(() => {}));
  };
  const watcher = await watchAllAccounts({
    store: await ctx.store(),
    clientId: options.clientId,
    clock,
    leadsMs: options.leads,
    emit,
    resyncEveryMs: RESYNC_ALL_EVERY_MS,
    probeEveryMs: PROBE_ALL_EVERY_MS,
  });
  ctx.output.note(
    `Watching all ${watcher.count} accounts of the store (and any stored later). Ctrl-C to stop.`,
  );
  let busy = false;
  const interval = setInterval(
    () => {
      if (busy) return;
      busy = true;
      void watcher.tick().finally(() => {
        busy = false;
      });
    },
    ctx.env.HFT_CLOCK_SOURCE ? 100 : 1000,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(interval);
  watcher.stop();
  clock.stop();
  await queue;
  ctx.output.note('hft watch: stopped');
  return 0;
}
