import type { TokenManager, TokenManagerOptions } from '@hft/auth-core';
import type { TokenStore } from '@hft/auth-core/store';
import { cipherFromEnv } from '@hft/auth-core/store';
import { type LoadedConfig, loadConfig, openTokenStore, requireCredentials } from '@hft/config';
import { ConfigError } from '@hft/errors';
import type { HftLogger } from '@hft/logger';
import { type Clock, systemClock } from '@hft/time/core';
import { UsageError } from './exit-codes.js';
import type { GlobalOptions } from './global-options.js';
import { httpTimeoutMs } from './http-timeout.js';
import { keepForRecovery, storeRecovered } from './login-recovery.js';
import { type Output, processOutput } from './output.js';

/** How a {@link CommandContext} opens things (set by the fast path). */
export interface ContextSettings {
  /**
   * Open a SQLite or Redis store for lean reads (`openTokenStore`'s `leanReads`), loading the
   * backend's CommonJS reader with `require`: for `hft token` and `hft status --json`.
   */
  leanReads?: boolean;
}

/** What a command may set on the one TokenManager it gets from {@link CommandContext.manager}. */
export type ManagerOverrides = Pick<TokenManagerOptions, 'clock' | 'expiringLeadTimesMs'>;

/** The global flags that reach `loadConfig` as options, by config field. */
const FLAGS: Record<string, string> = { storage: '--storage', account: '--account', logLevel: '--log-level' };

/**
 * A config error caused only by values given as flags is a usage error (exit 2) that names the
 * flag as typed; `undefined` for any other error.
 */
function flagError(error: unknown): UsageError | undefined {
  if (!(error instanceof ConfigError)) return undefined;
  const issues = error.issues;
  if (issues.length === 0 || !issues.every((i) => i.source === 'options' && FLAGS[i.field] !== undefined)) {
    return undefined;
  }
  return new UsageError(issues.map((i) => `${FLAGS[i.field]} ${i.message}`).join('; '));
}

/**
 * What a command works with, each piece created on first use so that a command pays only for
 * what it touches (`hft token` never loads axios, winston or the emulator).
 */
export class CommandContext {
  readonly output: Output;
  private loaded: Promise<LoadedConfig> | undefined;
  private storePromise: Promise<TokenStore> | undefined;
  private loggerPromise: Promise<HftLogger> | undefined;
  private managerPromise: Promise<TokenManager> | undefined;
  private clockPromise: Promise<Clock> | undefined;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(
    readonly options: GlobalOptions,
    readonly env: Record<string, string | undefined> = process.env,
    output?: Output,
    private readonly settings: ContextSettings = {},
  ) {
    this.output = output ?? processOutput();
  }

  /** The resolved configuration (flags > env > config file > credentials file > defaults). */
  config(): Promise<LoadedConfig> {
    const cipher = cipherFromEnv(this.env);
    this.loaded ??= loadConfig({
      env: this.env,
      // A sealed credentials file opens with the same key as the token store.
      ...(cipher ? { cipher } : {}),
      ...(this.options.storage === undefined ? {} : { storage: this.options.storage }),
      ...(this.options.account === undefined ? {} : { account: this.options.account }),
      ...(this.options.logLevel === undefined ? {} : { logLevel: this.options.logLevel as never }),
    }).then(
      (loaded) => {
        for (const warning of loaded.warnings) this.output.note(`warning: ${warning.message}`);
        return loaded;
      },
      (error: unknown) => {
        throw flagError(error) ?? error;
      },
    );
    return this.loaded;
  }

  /** The configured token store. */
  store(): Promise<TokenStore> {
    this.storePromise ??= this.config().then(async ({ config }) => {
      const store = await openTokenStore(config, {
        env: this.env,
        onWarning: (message) => this.output.note(`warning: ${message}`),
        ...(this.settings.leanReads
          ? {
              leanReads: true,
              // The readers' CommonJS builds: no ES module loader for a short command. `require`
              // is CommonJS's own in the fast path's bundle, the banner's in the full program's.
              readerImporter: async (specifier: string) => require(specifier),
            }
          : {}),
      });
      this.closers.push(() => store.close());
      for (const note of await storeRecovered(config.home, store, cipherFromEnv(this.env))) {
        this.output.note(`hft: ${note}`);
      }
      return store;
    });
    return this.storePromise;
  }

  /** The file logger (`$HFT_HOME/logs/hft.log`, 0600), with the client secret registered. */
  logger(): Promise<HftLogger> {
    this.loggerPromise ??= Promise.all([this.config(), import('@hft/logger')]).then(
      ([{ config }, { createLogger }]) => {
        const logger = createLogger({
          level: config.logLevel,
          file: config.logFile,
          console: false,
          name: 'hft',
        });
        if (config.credentials.clientSecret) logger.addSecret(config.credentials.clientSecret);
        this.closers.push(() => logger.close());
        return logger;
      },
    );
    return this.loggerPromise;
  }

  /**
   * The clock of this run: the system clock, or with `HFT_CLOCK_SOURCE=<emulator url>` the
   * emulator's (so `hft token`, `hft api` and `hft status` agree with an emulator whose clock was
   * moved across 03:30 IST).
   */
  clock(): Promise<Clock> {
    this.clockPromise ??= (async () => {
      if (!this.env.HFT_CLOCK_SOURCE) return systemClock;
      const { clockFromEnv } = await import('./clock-source.js');
      const clock = await clockFromEnv(this.env);
      this.closers.push(async () => clock.stop());
      return clock;
    })();
    return this.clockPromise;
  }

  /**
   * The TokenManager for the configured account (needs credentials: client id and redirect URI):
   * every command builds it here, so options such as `--http-timeout` reach all of them. The
   * first call's `overrides` (a long-running command's clock and lead times) apply.
   */
  manager(overrides: ManagerOverrides = {}): Promise<TokenManager> {
    this.managerPromise ??= (async () => {
      const [{ config }, store, logger, { TokenManager }, clock] = await Promise.all([
        this.config(),
        this.store(),
        this.logger(),
        import('@hft/auth-core'),
        overrides.clock ?? this.clock(),
      ]);
      const credentials = requireCredentials(config);
      const timeoutMs = httpTimeoutMs(this.options.httpTimeout, this.env);
      const manager = new TokenManager({
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        redirectUri: credentials.redirectUri,
        store,
        baseUrl: config.baseUrl,
        logger,
        onLoginNotStored: (record) => keepForRecovery(config.home, record, cipherFromEnv(this.env)),
        clock,
        ...overrides,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(config.account === undefined ? {} : { account: config.account }),
      });
      manager.on('token', ({ accessToken }) => logger.addSecret(accessToken));
      this.closers.unshift(() => manager.close());
      return manager;
    })();
    return this.managerPromise;
  }

  /** Releases everything opened (manager first, then store and logger). */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => {});
  }
}
