import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from './context.js';
import { ExitCode } from './exit-codes.js';
import type { GlobalOptions } from './global-options.js';
import { MAX_HTTP_TIMEOUT_SECONDS, parseHttpTimeoutSeconds } from './http-timeout.js';
import { exitQuietlyOnClosedPipe, writeFd } from './output.js';
import { runCommand } from './run.js';

// The CLI is a shell: this file declares commands and flags; each command's code lives in its
// own file under commands/ and is imported only when that command runs.

type Action<O> = (ctx: CommandContext, options: O, args: string[]) => Promise<number | undefined>;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function positiveInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) <= 0)
      throw new InvalidArgumentError(`${name} must be a positive integer`);
    return Number(value);
  };
}

function nonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a port number (0-65535)');
  return Number(value);
}

function seconds(value: string): number {
  const ms = parseHttpTimeoutSeconds(value);
  if (ms === undefined)
    throw new InvalidArgumentError(`must be a number of seconds, > 0 and <= ${MAX_HTTP_TIMEOUT_SECONDS}`);
  return ms / 1000;
}

/** The `Examples:` block every subcommand's help ends with. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

function action<O>(load: () => Promise<{ run: Action<O> }>) {
  return async function (this: Command, ...received: unknown[]) {
    const command = received.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions & O>();
    const args = command.args;
    await runCommand(globals, async (ctx) => (await load()).run(ctx, globals, args));
  };
}

// exitOverride and configureOutput must be set before the subcommands are added: commander
// copies them into each subcommand when it is created, and a subcommand without them calls
// process.exit(1) itself for its usage errors (too many arguments, a bad option value).
const program = new Command('hft')
  .exitOverride()
  .configureOutput({
    writeOut: (text) => writeFd(1, text),
    writeErr: (text) => writeFd(2, text),
  })
  .description(
    'Log in to Upstox once a day and share the token with every trading process: login, status, token, logout and more.',
  )
  .version(version(), '-V, --version', 'print the version')
  .option(
    '--account <name>',
    'account name or key (upstox:<client_id>:<user_id>); default: the only stored account',
  )
  .option('--storage <url>', 'token store: file:<dir>, sqlite:<path>, redis://... (overrides HFT_STORAGE)')
  .addOption(
    new Option('--log-level <level>', 'log file level (overrides HFT_LOG_LEVEL)').choices([
      'error',
      'warn',
      'info',
      'debug',
    ]),
  )
  .option(
    '--http-timeout <seconds>',
    'give up on an Upstox request after this many seconds (overrides HFT_HTTP_TIMEOUT; default 10)',
    seconds,
  )
  .option('--verbose', 'show error causes')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Environment: HFT_HOME (default ~/.hft), UPSTOX_CLIENT_ID, UPSTOX_CLIENT_SECRET, UPSTOX_REDIRECT_URI,
UPSTOX_BASE_URL, HFT_STORAGE, HFT_LOG_LEVEL, HFT_ACCOUNT, HFT_HTTP_TIMEOUT,
HFT_MASTER_KEY / HFT_MASTER_PASSPHRASE (and HFT_MASTER_KEY_PREVIOUS / HFT_MASTER_PASSPHRASE_PREVIOUS
while rotating: hft store rekey).
Exit codes: 0 ok, 1 failure, 2 usage error, 3 not authenticated or token expired.
Try it without an Upstox account: hft demo
${examples('hft demo', 'hft login', 'hft status', 'curl -H "Authorization: Bearer $(hft token)" ...', 'hft --account desk status --json')}`,
  );

program
  .command('login')
  .description(
    'log in through the browser (loopback callback), by pasting the redirect URL, or by a v3 request',
  )
  .option('--no-browser', 'only print the login URL; do not open a browser')
  .option('--paste', 'read the redirect URL (or the bare code) from stdin; for machines without a browser')
  .option('--request', 'send a v3 access token request and wait for the approved token to reach the store')
  .option('--timeout <seconds>', 'how long to wait for the login', positiveInt('--timeout'), 300)
  .addHelpText(
    'after',
    `
The callback server listens on the host and port of the configured redirect URI (it must be
127.0.0.1, ::1 or localhost), answers only the redirect path, checks the OAuth state and accepts
exactly one code. Register that exact redirect URI on your Upstox app.`,
  )
  .addHelpText(
    'after',
    examples(
      'hft login',
      'hft login --no-browser --timeout 600',
      'hft login --paste            # on a server: paste the redirect URL',
      'hft --account desk login --request',
    ),
  )
  .action(action(() => import('./commands/login.js')));

program
  .command('status')
  .description('show the stored token: account, user, expiry in IST and local time, time left')
  .option('--json', 'print the original get_status shape as JSON')
  .option('--probe', 'also check the token with Upstox (GET /v2/user/profile)')
  .addHelpText(
    'after',
    examples(
      'hft status',
      'hft status --json | jq .is_authenticated',
      'hft status --probe',
      'hft --account desk status',
    ),
  )
  .action(action(() => import('./commands/status.js')));

const KINDS = 'daily, extended, analytics or sandbox';

const token = program
  .command('token')
  .description(
    'print only the token of a kind (default daily) and a newline, for $(hft token); exit 3 when that kind has none valid',
  )
  .option('--kind <kind>', `token kind: ${KINDS}`)
  .addHelpText(
    'after',
    examples(
      'curl -H "Authorization: Bearer $(hft token)" https://api.upstox.com/v2/user/profile',
      'hft --account desk token',
      'hft token --kind analytics',
      'hft token import --kind analytics < analytics-token.txt',
    ),
  )
  .action(action(() => import('./commands/token.js')));

token
  .command('import')
  .description(
    'store a token made elsewhere (My Apps "Generate", the Analytics tab, a sandbox app), read from standard input and checked with Upstox',
  )
  .option('--kind <kind>', `token kind (required): ${KINDS}`)
  .option('--no-verify', 'store without checking it with Upstox (offline)')
  .option('--json', 'print the outcome as JSON')
  .addHelpText(
    'after',
    `
The token is read from standard input, never from the command line (argv is visible to other
users and lands in shell history). The account is learnt from the token (or its profile), or
named with --account. A token that fails a check is not stored: exit 1.
${examples(
  'hft token import --kind analytics < analytics-token.txt',
  'pbpaste | hft --account AB1234 token import --kind extended',
  'hft token import --kind sandbox --no-verify --json < sandbox-token.txt',
)}`,
  )
  .action(action(() => import('./commands/token-import.js')));

program
  .command('api')
  .description(
    'an authenticated request to Upstox through the client (token kind chosen per request); prints the JSON body',
  )
  .usage('[options] [METHOD] PATH')
  // commander fills arguments left to right: an optional one before a required one would take
  // the path, so the two are read by the command itself.
  .argument('<METHOD|PATH>', 'GET (default), POST, PUT, PATCH or DELETE; or the path when the method is GET')
  .argument('[PATH]', 'path on the Upstox host, e.g. /v2/user/profile')
  .option(
    '-f, --field <key=value>',
    'a query parameter (GET, DELETE) or a JSON body field (repeatable)',
    collect,
    [],
  )
  .option('--kind <kind>', `send this kind of token and no other: ${KINDS}`)
  .option('--json <body>', 'the JSON request body (POST, PUT, PATCH, DELETE)')
  .addHelpText(
    'after',
    `
Exit 0 on a 2xx answer; 1 with Upstox's error code and message otherwise; 3 when no token may be
sent. Reads use the daily token, then the extended, then the analytics one when the daily is dead;
orders and every other method only the daily token.
${examples(
  'hft api /v2/user/profile',
  "hft api GET /v2/market-quote/ltp -f instrument_key='NSE_EQ|INE002A01018'",
  'hft api /v2/portfolio/long-term-holdings --kind extended',
  'hft api POST /v2/order/place --json \'{"quantity":1,"product":"D","order_type":"MARKET"}\'',
)}`,
  )
  .action(action(() => import('./commands/api.js')));

program
  .command('logout')
  .description(
    'revoke the daily token at Upstox and delete it locally; the year-long kinds stay unless --all',
  )
  .option('--local', 'only delete the local token; do not call Upstox')
  .option('--all', 'remove every kind (daily, extended, analytics, sandbox) of the account')
  .option('--kind <kind>', `remove only this kind: ${KINDS}`)
  .option('--json', 'print the outcome as JSON')
  .addHelpText(
    'after',
    examples('hft logout', 'hft logout --local --json', 'hft logout --all', 'hft logout --kind analytics'),
  )
  .action(action(() => import('./commands/logout.js')));

program
  .command('whoami')
  .description("show the token's user profile from Upstox (checks the token)")
  .option('--json', 'print the profile as JSON')
  .addHelpText('after', examples('hft whoami', 'hft whoami --json'))
  .action(action(() => import('./commands/whoami.js')));

const accounts = program
  .command('accounts')
  .description('list stored accounts; the default one is marked')
  .option('--json', 'print as JSON')
  .addHelpText('after', examples('hft accounts', 'hft accounts --json', 'hft accounts use desk'))
  .action(action(() => import('./commands/accounts.js')));
accounts
  .command('use')
  .description('make a stored account (name, user id or key) the default of this HFT_HOME')
  .argument('[account]', 'the account name, user id or key')
  .option('--clear', 'remove the default account')
  .addHelpText(
    'after',
    examples('hft accounts use desk', 'hft accounts use AB1234', 'hft accounts use --clear'),
  )
  .action(action(() => import('./commands/accounts-use.js')));

const ip = program
  .command('ip')
  .description('show the static IPs registered for the account (orders must come from one of them)')
  .option('--json', 'print as JSON')
  .addHelpText(
    'after',
    `
Since 2026-04-01 Upstox accepts order calls only from the user's registered static IPs (a primary
and an optional secondary); others are refused with UDAPI1154. hft doctor compares them with this
machine's address.`,
  )
  .addHelpText('after', examples('hft ip', 'hft ip --json | jq -r .primary_ip', 'hft ip set 203.0.113.7'))
  .action(action(() => import('./commands/ip.js')));
ip.command('set')
  .description(
    'register new static IPs (PUT /v2/user/ip); Upstox then invalidates the tokens, and allows one change a week',
  )
  .argument('<primary>', 'the primary IP (IPv4 or IPv6)')
  .argument('[secondary]', 'an optional secondary IP')
  .option('--yes', 'do not ask for confirmation (for scripts)')
  .addHelpText(
    'after',
    examples(
      'hft ip set 203.0.113.7',
      'hft ip set 203.0.113.7 2001:db8::7',
      'hft --account desk ip set 203.0.113.7 --yes',
    ),
  )
  .action(action(() => import('./commands/ip-set.js')));

program
  .command('config')
  .description('show the resolved configuration and where each value came from (secrets masked)')
  .option('--json', 'print as JSON')
  .addHelpText('after', examples('hft config', 'hft config --json'))
  .action(action(() => import('./commands/config.js')));

program
  .command('doctor')
  .description(
    'check credentials, redirect URI, clock, store, log directory and static IP; each check says how to fix it',
  )
  .option('--json', 'print the checks as JSON')
  .addHelpText(
    'after',
    `
static-ip compares the registered static IPs (GET /v2/user/ip) with this machine's address:
HFT_EGRESS_IP when set, else its own non-loopback interface addresses, else the answer of
HFT_EGRESS_ECHO_URL (an echo service you choose; none is asked by default).`,
  )
  .addHelpText(
    'after',
    examples(
      'hft doctor',
      'hft doctor --json | jq \'.checks[] | select(.status != "pass")\'',
      'HFT_EGRESS_IP=203.0.113.7 hft doctor',
    ),
  )
  .action(action(() => import('./commands/doctor.js')));

program
  .command('emulator')
  .description('run the local Upstox emulator in the foreground and print how to point hft at it')
  .option('--port <port>', 'port to listen on (0 = any free port)', port, 5056)
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .addHelpText(
    'after',
    examples('hft emulator --port 5056', 'UPSTOX_BASE_URL=http://127.0.0.1:5056 hft login'),
  )
  .action(action(() => import('./commands/emulator.js')));

program
  .command('watch')
  .description(
    'long-running: report expiring / expired / renewed / invalidated tokens to a webhook, a command and the log',
  )
  .option('--lead <minutes>', 'comma-separated lead times before expiry for "expiring"', '60,10')
  .option('--all', 'watch every account of the store in one process (events name the account)')
  .option('--webhook <url>', 'POST each event as JSON to this URL (repeatable)', collect, [])
  .option(
    '--exec <command>',
    'run this shell command for each event, data in HFT_* variables (repeatable)',
    collect,
    [],
  )
  .option(
    '--auto-request <HH:MM>',
    'every day at this IST time, send the v3 token request when no valid token exists',
  )
  .option(
    '--probe-every <minutes>',
    'check the token with Upstox this often to notice revocation (0 = never)',
    nonNegativeInt('--probe-every'),
    15,
  )
  .addHelpText(
    'after',
    `
Events: expiring, expired, token (a new token arrived), invalidated (rejected by Upstox, logged
out or deleted), request-sent, store-error, store-recovered. Webhook body: {event, account,
user_id, expires_at (IST), time_left_seconds, detail, at}; the token is never included. Command
environment: HFT_EVENT, HFT_ACCOUNT, HFT_USER_ID, HFT_EXPIRES_AT, HFT_TIME_LEFT_SECONDS,
HFT_DETAIL, HFT_AT (plus PATH and HOME only). Keeps running through store outages; stops on
SIGINT/SIGTERM. HFT_CLOCK_SOURCE=<emulator url> follows the emulator's clock (rehearse 03:30).
With several accounts stored, choose one (--account NAME, or a default with hft accounts use)
or watch them all with --all (one process; events carry the account; only what happens from
its start on is reported).`,
  )
  .addHelpText(
    'after',
    examples(
      'hft watch --lead 60,10 --webhook https://hooks.example.com/hft',
      'hft watch --exec \'notify-send "$HFT_EVENT $HFT_DETAIL"\'',
      'hft watch --auto-request 08:45',
      'hft watch --all --webhook https://hooks.example.com/hft',
    ),
  )
  .action(action(() => import('./commands/watch.js')));

const webhook = program
  .command('webhook')
  .description('the Upstox notifier webhook receiver (v3 access token request)')
  .addHelpText('after', examples('hft webhook serve --port 8787'));
webhook
  .command('serve')
  .description(
    'receive approved tokens from Upstox and write them to the store; GET /healthz on the same server',
  )
  .option('--port <port>', 'port to listen on', port, 8787)
  .option('--host <host>', 'interface to bind (use 0.0.0.0 behind a TLS reverse proxy)', '127.0.0.1')
  .option(
    '--path <path>',
    'accept deliveries only on this path; default: a secret /upstox/notify/<random> generated once and kept in $HFT_HOME/webhook-path',
  )
  .option('--allow-from <ips>', 'comma-separated sender addresses to accept; others get 403')
  .addHelpText(
    'after',
    examples('hft webhook serve --port 8787', 'hft webhook serve --host 0.0.0.0 --allow-from 203.0.113.7'),
  )
  .action(action(() => import('./commands/webhook.js')));

const store = program
  .command('store')
  .description('maintain the token store: seal plain records, rotate the encryption key')
  .addHelpText(
    'after',
    `
Both commands rewrite every record of the configured store one at a time, each under its lock and
atomically, so they are safe to interrupt and run again. Progress (n of N) goes to stderr.`,
  );
store
  .command('seal')
  .description(
    'encrypt every plain record under HFT_MASTER_KEY / HFT_MASTER_PASSPHRASE (the migration to encryption at rest)',
  )
  .option('--json', 'print a summary as JSON')
  .action(action(() => import('./commands/store-seal.js')));
store
  .command('rekey')
  .description(
    'reseal every record under the current key, opening it with the current or the previous key (HFT_MASTER_KEY_PREVIOUS / HFT_MASTER_PASSPHRASE_PREVIOUS)',
  )
  .option('--json', 'print a summary as JSON')
  .action(action(() => import('./commands/store-rekey.js')));

program
  .command('demo')
  .description('the whole flow with no Upstox account: emulator, loopback login, status, whoami, logout')
  .option(
    '--request',
    'use the v3 access token request flow (approval + webhook) instead of the browser login',
  )
  .addHelpText('after', examples('hft demo', 'hft demo --request'))
  .action(action(() => import('./commands/demo.js')));

const COMPLETION_COMMANDS = new Set(['completion', 'complete']);
const COMPLETION_EXAMPLES = examples(
  'source <(hft completion bash)        # in ~/.bashrc',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh example, not a template
  'hft completion zsh > "${fpath[1]}/_hft"',
  'hft completion fish > ~/.config/fish/completions/hft.fish',
);

/**
 * Shell completion (@bomb.sh/tab's commander adapter) is set up only when a completion command
 * runs, so that no other command loads it; a stand-in keeps `completion` in the help.
 */
async function addCompletion(argv: readonly string[]): Promise<void> {
  if (argv.slice(2).some((arg) => COMPLETION_COMMANDS.has(arg))) {
    const { default: tab } = await import('@bomb.sh/tab/commander');
    tab(program, { completionCommandName: 'completion' });
    program.commands.find((c) => c.name() === 'completion')?.addHelpText('after', COMPLETION_EXAMPLES);
    return;
  }
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh, fish or powershell)')
    .argument('<shell>', 'bash, zsh, fish or powershell')
    .addHelpText('after', COMPLETION_EXAMPLES);
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  try {
    await addCompletion(argv);
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      process.exitCode = error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    throw error;
  }
}
