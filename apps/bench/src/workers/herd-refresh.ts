// Figure 8's herd member: loads an account whose token has expired, waits for the parent's `go`,
// then calls refreshIfNeeded() with a reacquire hook. Each hook call appends a line to a shared
// counter file, so the parent can count acquisitions across all processes.
import { appendFileSync } from 'node:fs';
import { TokenManager } from '@hft/auth-core';
import { runWorker, tellParent, workerArgs } from '../child.js';
import { BENCH_CLIENT_ID, BENCH_REDIRECT_URI, makeRecord } from '../records.js';
import { openStore, type StoreSpec } from '../store-spec.js';

interface Args {
  spec: StoreSpec;
  key: string;
  userId: string;
  counterFile: string;
  /** The token the hook "obtains". */
  newToken: string;
  /** How long the hook takes, in ms (a login is not instant): the others pile up on the lock. */
  hookDelayMs: number;
}

runWorker(async () => {
  const args = workerArgs<Args>();
  const store = await openStore(args.spec);
  const manager = new TokenManager({
    clientId: BENCH_CLIENT_ID,
    redirectUri: BENCH_REDIRECT_URI,
    store,
    account: args.key,
    reacquireLockTtlMs: 30_000,
    reacquire: async ({ reason }) => {
      appendFileSync(args.counterFile, `${process.pid} ${reason}\n`);
      await new Promise((resolve) => setTimeout(resolve, args.hookDelayMs));
      return makeRecord({ userId: args.userId, accessToken: args.newToken });
    },
  });
  await manager.load();
  const go = new Promise<void>((resolve) => {
    process.on('message', (message: { type?: string }) => {
      if (message?.type === 'go') resolve();
    });
  });
  tellParent({ type: 'ready', valid: manager.isTokenValid() });
  await go;
  const ok = await manager.refreshIfNeeded();
  const token = manager.isTokenValid() ? manager.getAccessToken() : null;
  tellParent({ type: 'done', ok, token });
  await manager.close();
  await store.close();
  process.disconnect?.();
});
