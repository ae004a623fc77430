import {
  completeLogin,
  type RequestLogEntry,
  startUpstoxEmulator,
  type TestLoginValues,
  type UpstoxEmulator,
  type UpstoxEmulatorOptions,
} from '@hft/upstox-emulator';
import { type CliEnv, type CliResult, startCli } from './cli.js';
import { freePort, newHome } from './homes.js';
import { registerEmulator, registerSecret } from './registry.js';

/** The token endpoint every code exchange goes to. */
export const TOKEN_PATH = '/v2/login/authorization/token';

/** One CLI user: a home, a free loopback redirect port registered on the emulator app, and the env. */
export interface TestAccount {
  home: string;
  redirectUri: string;
  port: number;
  env: CliEnv;
}

/** What {@link TestUpstox.login} saw. */
export interface LoginOutcome {
  result: CliResult;
  /** The authorization URL the CLI printed. */
  url: string;
  /** The redirect Location the emulator's login form answered (the loopback callback). */
  location: string;
  /** The callback server's answer to the browser. */
  callback: { status: number; body: string };
}

/** The emulator running in the test process, plus helpers to point the CLI at it. */
export class TestUpstox {
  private readonly redirectUris: string[];

  private constructor(readonly emu: UpstoxEmulator) {
    this.redirectUris = [...emu.defaultApp.redirectUris];
    registerEmulator(emu);
    registerSecret('client secret', emu.defaultApp.clientSecret);
  }

  /** Starts an emulator on 127.0.0.1, port 0. */
  static async start(options: UpstoxEmulatorOptions = {}): Promise<TestUpstox> {
    return new TestUpstox(await startUpstoxEmulator({ port: 0, ...options }));
  }

  get clientId(): string {
    return this.emu.defaultApp.clientId;
  }

  get clientSecret(): string {
    return this.emu.defaultApp.clientSecret;
  }

  /** Adds `uri` to the default app's registered redirect URIs. */
  registerRedirect(uri: string): void {
    if (!this.redirectUris.includes(uri)) this.redirectUris.push(uri);
    this.emu.upsertApp({ clientId: this.clientId, redirectUris: [...this.redirectUris] });
  }

  /** A new CLI user of the default app: fresh HFT_HOME, a free callback port registered on the app. */
  async account(env: CliEnv = {}): Promise<TestAccount> {
    const home = newHome();
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    this.registerRedirect(redirectUri);
    if (env.UPSTOX_CLIENT_SECRET) registerSecret('client secret', env.UPSTOX_CLIENT_SECRET);
    return {
      home,
      port,
      redirectUri,
      env: {
        HFT_HOME: home,
        UPSTOX_BASE_URL: this.emu.url,
        UPSTOX_CLIENT_ID: this.clientId,
        UPSTOX_CLIENT_SECRET: this.clientSecret,
        UPSTOX_REDIRECT_URI: redirectUri,
        ...env,
      },
    };
  }

  /** Logs in on the emulator's page for `redirectUri` (no CLI involved) and returns the issued code. */
  async code(redirectUri: string, user?: TestLoginValues): Promise<{ code: string; location: string }> {
    const location = await completeLogin(this.emu.authorizeUrl({ redirectUri }), user);
    const code = new URL(location).searchParams.get('code');
    if (!code) throw new Error(`no code in ${location}`);
    registerSecret('auth code', code);
    return { code, location };
  }

  /**
   * The whole loopback login: `hft [...args] login --no-browser`, read the URL it prints, play
   * the browser with `completeLogin`, GET the callback, wait for the CLI to exit.
   */
  async login(
    account: TestAccount,
    options: { args?: string[]; user?: TestLoginValues; env?: CliEnv } = {},
  ): Promise<LoginOutcome> {
    const cli = startCli([...(options.args ?? []), 'login', '--no-browser'], {
      env: { ...account.env, ...options.env },
    });
    const [, url] = await cli.waitFor(/^(http:\/\/\S+\/v2\/login\/authorization\/dialog\?\S+)$/m);
    const location = await completeLogin(url as string, options.user);
    registerSecret('auth code', new URL(location).searchParams.get('code'));
    const response = await fetch(location);
    const callback = { status: response.status, body: await response.text() };
    return { result: await cli.done, url: url as string, location, callback };
  }

  /** Token requests (code exchanges) received after request number `since`. */
  tokenRequests(since = 0): RequestLogEntry[] {
    return this.emu.requests.filter((r) => r.id > since && r.path === TOKEN_PATH);
  }

  /** The id of the last request received so far (0 when none), for {@link tokenRequests}. */
  lastRequestId(): number {
    return this.emu.requests.at(-1)?.id ?? 0;
  }

  close(): Promise<void> {
    return this.emu.close();
  }
}
