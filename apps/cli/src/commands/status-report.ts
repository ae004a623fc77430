import type { TokenRecord } from '@hft/auth-core/store';
import {
  type AccountSummary,
  type AuthStatus,
  statusFromInfo,
  type TokenInfo,
  toTokenInfo,
} from '@hft/auth-core/store';
import { accountsToShow } from '../account-choice.js';
import type { CommandContext } from '../context.js';
import { currentRecord } from '../current-record.js';
import { ExitCode } from '../exit-codes.js';

/** What `hft status` knows about the selected account, before it is printed. */
export interface StatusReport {
  /** The stored record, if any. */
  record: TokenRecord | undefined;
  /** The record's validity at `now`, if there is a record. */
  info: TokenInfo | undefined;
  /** The original module's `get_status` shape. */
  status: AuthStatus;
  /** Upstox rejected the token when asked (`--probe`). */
  rejected: boolean;
  /** Why asking Upstox failed (`--probe`), when it did. */
  probeError: string | undefined;
  /** When the report was made, epoch ms. */
  now: number;
}

/**
 * Reads the selected account's record and judges it by the system clock; with `probe`, also
 * asks Upstox (profile) whether it still accepts the token.
 */
export async function statusReport(ctx: CommandContext, probe: boolean): Promise<StatusReport> {
  const record = await currentRecord(ctx);
  const now = (await ctx.clock()).now();
  let rejected = false;
  let probeError: string | undefined;
  const daily = record?.tokens.daily;
  if (daily && probe && now < daily.expiresAt) {
    const manager = await ctx.manager();
    try {
      await manager.whoami();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'HFT_AUTH_INVALIDATED') rejected = true;
      else probeError = error instanceof Error ? error.message : String(error);
    }
  }
  const info = record ? toTokenInfo(record, now, rejected) : undefined;
  return { record, info, status: statusFromInfo(info), rejected, probeError, now };
}

/** One stored account's report, for the several-accounts view (no probe: that needs a chosen account). */
export interface AccountReport extends StatusReport {
  account: AccountSummary & { isDefault: boolean };
}

/**
 * The reports of every stored account when several are stored and none was chosen; `undefined`
 * for the one-account view.
 */
export async function accountReports(ctx: CommandContext): Promise<AccountReport[] | undefined> {
  const accounts = await accountsToShow(ctx);
  if (!accounts) return undefined;
  const store = await ctx.store();
  const now = (await ctx.clock()).now();
  const reports: AccountReport[] = [];
  for (const account of accounts) {
    const record = await store.get(account.key);
    const info = record ? toTokenInfo(record, now, false) : undefined;
    reports.push({
      account,
      record,
      info,
      status: statusFromInfo(info),
      rejected: false,
      probeError: undefined,
      now,
    });
  }
  return reports;
}

/** Exit 0 when every account shown has a valid token, else 3. */
export function statusExitCode(reports: readonly StatusReport[]): number {
  return reports.every((r) => r.status.is_authenticated) ? ExitCode.OK : ExitCode.NOT_AUTHENTICATED;
}

/**
 * `hft status --json`: the original `get_status` object for one account, or, with several stored
 * and none chosen, an array of them, each with its `account` (`key`, `name`, `default`).
 */
export async function runStatusJson(ctx: CommandContext, probe: boolean): Promise<number> {
  const many = await accountReports(ctx);
  if (!many) return printStatusJson(ctx, await statusReport(ctx, probe));
  if (probe) ctx.output.note('hft: --probe checks one account: choose it with --account NAME');
  ctx.output.json(
    many.map((r) => ({
      account: { key: r.account.key, name: r.account.name ?? null, default: r.account.isDefault },
      ...r.status,
    })),
  );
  return statusExitCode(many);
}

/** Prints the report as `get_status` JSON; the exit code is 3 unless authenticated. */
export function printStatusJson(ctx: CommandContext, report: StatusReport): number {
  ctx.output.json(report.status);
  if (report.probeError) ctx.output.note(`hft: could not check the token with Upstox: ${report.probeError}`);
  return statusExitCode([report]);
}
