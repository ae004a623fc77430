// Figure 7's watcher: opens the store the parent names, follows one account with a TokenManager
// (the way a trading process would), and reports every new token it receives with the instant
// it arrived (performance.timeOrigin + performance.now(), comparable across processes on one
// machine).
import { TokenManager } from '@hft/auth-core';
import { runWorker, tellParent, workerArgs } from '../child.js';
import { BENCH_CLIENT_ID, BENCH_REDIRECT_URI } from '../records.js';
import { openStore, type StoreSpec } from '../store-spec.js';

interface Args {
  spec: StoreSpec;
  key: string;
}

runWorker(async () => {
  const { spec, key } = workerArgs<Args>();
  const store = await openStore(spec);
  const manager = new TokenManager({
    clientId: BENCH_CLIENT_ID,
    redirectUri: BENCH_REDIRECT_URI,
    store,
    account: key,
  });
  manager.onTokenRotated((token) => {
    tellParent({
      type: 'token',
      token,
      at: performance.timeOrigin + performance.now(),
    });
  });
  manager.on('error', (error) => tellParent({ type: 'error', message: error.message }));
  await manager.load();
  // A redis store resolves connect() once every current watch is subscribed.
  await (store as { connect?: () => Promise<void> }).connect?.();
  const stop = async () => {
    await manager.close();
    await store.close().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  tellParent({ type: 'ready', token: manager.getAccessToken() });
});
