import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { newHome } from './helpers/homes.js';
import { CLI_DIR } from './helpers/paths.js';

const env = () => ({ HFT_HOME: newHome() });

/** Each command, with words its --help must contain (its purpose and its own flags). */
const COMMANDS: Record<string, string[]> = {
  login: ['log in through the browser', '--no-browser', '--paste', '--timeout <seconds>', '127.0.0.1'],
  status: ['expiry in IST', '--json', '--probe'],
  token: ['print only the token of a kind', 'exit 3', '--kind <kind>', 'import'],
  'token import': ['standard input', '--kind <kind>', '--no-verify', 'never from the command line'],
  api: ['authenticated request', '--field <key=value>', '--kind <kind>', '--json <body>', 'Exit 0 on a 2xx'],
  logout: ['revoke the daily token at Upstox', '--local', '--all', '--kind <kind>', '--json'],
  whoami: ['user profile', '--json'],
  accounts: ['list stored accounts', '--json'],
  config: ['where each value came from', '--json'],
  doctor: ['how to fix it', '--json'],
  emulator: ['Upstox emulator', '--port <port>', '--host <host>'],
  demo: ['no Upstox account', 'whoami'],
  ip: ['static IPs registered', '--json', 'UDAPI1154'],
};

describe('usage', () => {
  it('--help explains every command and exits 0', async () => {
    const results = await Promise.all(
      Object.keys(COMMANDS).map((command) => runCli([...command.split(' '), '--help'], { env: env() })),
    );
    for (const [i, command] of Object.keys(COMMANDS).entries()) {
      const result = results[i]!;
      expect(result.code, `${command}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`Usage: hft ${command} [options]`);
      for (const word of COMMANDS[command]!) expect(result.stdout, `${command} --help`).toContain(word);
      expect(result.stderr).toBe('');
    }
  });

  it('every subcommand --help ends with examples', async () => {
    const commands = [
      ...Object.keys(COMMANDS),
      'watch',
      'webhook',
      'webhook serve',
      'accounts use',
      'ip set',
      'completion',
    ];
    const results = await Promise.all(
      commands.map((command) => runCli([...command.split(' '), '--help'], { env: env() })),
    );
    for (const [i, command] of commands.entries()) {
      const result = results[i]!;
      expect(result.code, `${command}: ${result.stderr}`).toBe(0);
      const tail = result.stdout.slice(result.stdout.lastIndexOf('Examples:'));
      expect(result.stdout, `${command} --help`).toContain('Examples:');
      expect(tail, `${command} --help ends with its examples`).toMatch(
        /^Examples:\n( {2}\$ hft .*\n| {2}\$ .*\n)+$/,
      );
    }
  });

  it('hft completion bash|zsh|fish prints a completion script that calls back into hft', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await runCli(['completion', shell], { env: env() });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('hft');
      expect(result.stdout).toContain('complete');
    }
    // The callback the script makes: suggestions for `hft lo<TAB>`.
    const suggestions = await runCli(['complete', '--', 'lo'], { env: env() });
    expect(suggestions.code, suggestions.stderr).toBe(0);
    expect(suggestions.stdout).toMatch(/^login\b/m);
    expect(suggestions.stdout).toMatch(/^logout\b/m);
    const bad = await runCli(['completion', 'tcsh'], { env: env() });
    expect(bad.code).toBe(2);
  });

  it('output to a closed pipe ends quietly: exit 0, no stack', async () => {
    const { spawnSync } = await import('node:child_process');
    const { CLI_BIN } = await import('./helpers/paths.js');
    for (const args of [['--help'], ['config'], ['doctor'], ['completion', 'bash']]) {
      const home = newHome();
      const run = spawnSync(
        'bash',
        // `true` reads nothing and exits at once: every write of the CLI meets a closed pipe.
        [
          '-c',
          `set -o pipefail; node ${JSON.stringify(CLI_BIN)} ${args.join(' ')} | true; echo "exit=$?" >&2`,
        ],
        { env: { PATH: process.env.PATH ?? '', HFT_HOME: home, HOME: home }, encoding: 'utf8' },
      );
      expect(run.stderr, args.join(' ')).not.toMatch(/EPIPE|Error:|\n\s+at /);
      expect(run.stderr, args.join(' ')).toMatch(/exit=(0|141)$/m);
    }
  });

  it('hft --help lists the commands, global flags, environment and exit codes', async () => {
    const result = await runCli(['--help'], { env: env() });
    expect(result.code).toBe(0);
    for (const command of Object.keys(COMMANDS).filter((name) => !name.includes(' ')))
      expect(result.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    for (const flag of [
      '--account <name>',
      '--storage <url>',
      '--log-level <level>',
      '--http-timeout <seconds>',
      '--verbose',
    ])
      expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('UPSTOX_CLIENT_ID');
    expect(result.stdout).toContain('HFT_HTTP_TIMEOUT');
    expect(result.stdout).toContain('Exit codes: 0 ok, 1 failure, 2 usage error, 3 not authenticated');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag], { env: env() });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['--bogus', 'token'], "unknown option '--bogus'"],
    [['status', '--bogus'], "unknown option '--bogus'"],
    [['token', 'extra'], "too many arguments for 'token'"],
    [['login', '--timeout', 'abc'], '--timeout must be a positive integer'],
    [['login', '--timeout'], 'argument missing'],
    [['--log-level', 'loud', 'token'], 'Allowed choices are error, warn, info, debug'],
    [['emulator', '--port', '70000'], 'must be a port number'],
    [['login', '--paste', '--request'], '--paste and --request cannot be combined'],
    [['--storage', 'mongodb://x', 'token'], '--storage '],
    [['--account', 'bad name!', 'token'], '--account '],
  ])('hft %j is a usage error: exit 2', async (args, message) => {
    const result = await runCli(args, {
      env: {
        ...env(),
        UPSTOX_CLIENT_ID: 'cid',
        UPSTOX_CLIENT_SECRET: 'usage-secret-1',
        UPSTOX_REDIRECT_URI: 'http://127.0.0.1:5055/callback',
      },
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('hft with no command prints the help on stderr and exits 2', async () => {
    const result = await runCli([], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: hft [options] [command]');
  });
});
