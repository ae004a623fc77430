import { formatStorage } from '@hft/config';
import type { CommandContext } from '../context.js';
import {
  accountReports,
  runStatusJson,
  type StatusReport,
  statusExitCode,
  statusReport,
} from './status-report.js';

interface StatusOptions {
  json?: boolean;
  probe?: boolean;
}

/**
 * `hft status`: the stored token in human form, or with `--json` the original module's
 * `get_status` shape. `--probe` also asks Upstox (profile). Exit 3 when no valid token.
 */
export async function run(ctx: CommandContext, options: StatusOptions): Promise<number> {
  if (options.json) return runStatusJson(ctx, options.probe === true);
  const many = await accountReports(ctx);
  if (many) {
    if (options.probe) ctx.output.note('hft: --probe checks one account: choose it with --account NAME');
    for (const [i, report] of many.entries()) {
      if (i > 0) ctx.output.out('');
      ctx.output.out(
        `${report.account.isDefault ? '* ' : ''}${report.account.name ?? report.account.userId}`,
      );
      await printHuman(ctx, report, false);
    }
    ctx.output.note(
      `${many.length} accounts; * marks the default. Choose one with --account NAME or hft accounts use NAME.`,
    );
    return statusExitCode(many);
  }
  const report = await statusReport(ctx, options.probe === true);
  await printHuman(ctx, report, options.probe === true);
  if (report.probeError) ctx.output.note(`hft: could not check the token with Upstox: ${report.probeError}`);
  return statusExitCode([report]);
}

async function printHuman(ctx: CommandContext, report: StatusReport, probe: boolean): Promise<void> {
  const { config } = await ctx.config();
  const { record, info, rejected, probeError, now } = report;
  // The human view needs luxon's formatting; `status --json` (scripts, start-up budget) does not.
  const { bothZones, formatDuration, lifetimeBar, table } = await import('../format.js');
  if (!record || !info) {
    ctx.output.out('Not logged in: no token stored.');
    for (const line of table([['Store', formatStorage(config.storage)]])) ctx.output.out(line);
    ctx.output.out('Run: hft login');
  } else {
    const user = [record.userId, record.userName, record.email ? `<${record.email}>` : undefined]
      .filter(Boolean)
      .join(' ');
    const daily = record.tokens.daily;
    const state = !daily
      ? 'none (no daily token)'
      : info.isValid
        ? 'valid'
        : rejected
          ? 'REJECTED by Upstox'
          : 'EXPIRED';
    const rows: Array<[string, string]> = [
      ['Account', `${record.accountKey}${record.accountName ? ` (${record.accountName})` : ''}`],
      ['User', user],
      ['Token', `${state}${probe && info.isValid && !probeError ? ' (confirmed by Upstox)' : ''}`],
    ];
    if (daily) {
      rows.push(
        ['Issued', bothZones(daily.issuedAt)],
        ['Expires', bothZones(daily.expiresAt)],
        [
          'Left',
          info.isValid
            ? `${formatDuration(info.remainingMs)}  ${lifetimeBar(daily.issuedAt, daily.expiresAt, now)}`
            : '0s',
        ],
      );
    }
    // Every other kind held, one line each: when it expires and the time left.
    for (const kind of ['extended', 'analytics', 'sandbox'] as const) {
      const held = info.tokens[kind];
      if (!held) continue;
      const life = held.isValid
        ? `${formatDuration(held.remainingMs)} left`
        : held.remainingMs > 0
          ? 'REJECTED'
          : 'EXPIRED';
      rows.push([
        `${kind[0]!.toUpperCase()}${kind.slice(1)}`,
        `until ${bothZones(held.expiresAt)} (${life}, ${held.source})`,
      ]);
    }
    rows.push(['Store', formatStorage(config.storage)]);
    for (const line of table(rows)) ctx.output.out(line);
    if (!info.isValid) ctx.output.out(daily ? 'Run: hft login' : 'For orders, log in: hft login');
  }
}
