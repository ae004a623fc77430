// The watch-isolation figure's watcher: opens the store the parent names and watches one
// account through the store's own `watch` API (no TokenManager). Every callback is a wake-up:
// it is reported with the instant it came (performance.timeOrigin + performance.now()) and the
// token then stored for the account, so the parent can count wake-ups and match rotations. On
// request it reports its CPU time, which shows the store's internal wake-ups too.
import { runWorker, tellParent, workerArgs } from '../child.js';
import { openStore, type StoreSpec } from '../store-spec.js';

interface Args {
  spec: StoreSpec;
  key: string;
}

runWorker(async () => {
  const { spec, key } = workerArgs<Args>();
  const store = await openStore(spec);
  const unwatch = store.watch(key, (change) => {
    const at = performance.timeOrigin + performance.now();
    const known = change.record?.tokens.daily?.token;
    const report = (token: string | undefined) =>
      tellParent({ type: 'change', key: change.key, token: token ?? null, at });
    if (known !== undefined) report(known);
    else
      store.get(key).then(
        (record) => report(record?.tokens.daily?.token),
        (error: unknown) => tellParent({ type: 'error', message: String(error) }),
      );
  });
  // A redis store resolves connect() once every current watch is live.
  await (store as { connect?: () => Promise<void> }).connect?.();
  const stop = async () => {
    unwatch();
    await store.close().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') void stop();
    // What the process has spent so far: the store's own work on changes nobody subscribed to
    // shows here even when no callback runs.
    if (message?.type === 'cpu') {
      const used = process.cpuUsage();
      tellParent({ type: 'cpu', micros: used.user + used.system });
    }
  });
  process.on('disconnect', () => void stop());
  tellParent({ type: 'ready' });
});
