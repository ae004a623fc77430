import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotifierHandler, type TokenManager } from '@hft/auth-core';
import type { UpstoxEmulator } from '@hft/upstox-emulator';
import { requestFlow } from './commands/login.js';
import type { CommandContext } from './context.js';

/**
 * The v3 request flow of `hft demo --request`: a notifier receiver on a loopback port, the
 * emulator app's notifier URL pointed at it, the request sent, and the emulator approving after
 * a moment (or earlier through its approval page), then the token arriving through the webhook.
 */
export async function runRequestDemo(
  ctx: CommandContext,
  manager: TokenManager,
  emulator: UpstoxEmulator,
): Promise<void> {
  const out = ctx.output;
  const store = await ctx.store();
  const path = `/upstox/notify/${Math.random().toString(36).slice(2)}`;
  const handler = createNotifierHandler({
    clientId: manager.clientId,
    store,
    baseUrl: emulator.url,
    path,
    onDelivery: (o) =>
      out.note(`   webhook delivery: ${o.status} ${o.result}${o.reason ? ` (${o.reason})` : ''}`),
  });
  const receiver = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const notifierUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;
  emulator.upsertApp({ clientId: manager.clientId, notifierUrl });
  out.note(`2. v3 access token request; the notifier webhook receiver listens on ${notifierUrl}`);
  out.note(`   The emulator approves in 2 s (or approve now at ${emulator.url}/_emulator/approvals)`);
  const approval = setTimeout(() => {
    if (emulator.pendingRequests().length === 0) return;
    emulator.approve().catch((error: unknown) => out.note(`   approval failed: ${String(error)}`));
  }, 2000);
  try {
    await requestFlow(ctx, manager);
  } finally {
    clearTimeout(approval);
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}
