import type { TokenRecord } from '@hft/auth-core/store';
import { type AuthStatus, statusFromInfo, type TokenInfo, toTokenInfo } from '@hft/auth-core/store';
import { systemClock } from '@hft/time/core';
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
  const now = systemClock.now();
  let rejected = false;
  let probeError: string | undefined;
  if (record && probe && now < record.expiresAt) {
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

/** Prints the report as `get_status` JSON; the exit code is 3 unless authenticated. */
export function printStatusJson(ctx: CommandContext, report: StatusReport): number {
  ctx.output.json(report.status);
  if (report.probeError) ctx.output.note(`hft: could not check the token with Upstox: ${report.probeError}`);
  return report.status.is_authenticated ? ExitCode.OK : ExitCode.NOT_AUTHENTICATED;
}
