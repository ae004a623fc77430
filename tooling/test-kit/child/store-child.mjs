// The one child process of the multi-process tests: opens a token store from the BUILT package
// (plain Node runs no .ts), as a strategy process would, and plays one part. Started by
// `forkStoreChild` (src/store-child.ts) with an IPC channel; its first message says what to do:
// { type: 'start', mode, spec: { module, factory, options, cipher? }, args }. Secrets (the
// cipher key) come over IPC, never in argv.
import { pathToFileURL } from 'node:url';
import { makeRecord, problemWith } from './records.mjs';

const nextMessage = (predicate) =>
  new Promise((resolve) => {
    const onMessage = (message) => {
      if (!predicate(message)) return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
  });

const describe = (error) => {
  const cause = error?.cause;
  return `${error?.name}: ${error?.code ?? ''} ${error?.message}${cause ? ` (cause ${cause.code ?? ''} ${cause.message})` : ''}`;
};

const send = (message) => {
  if (process.connected) process.send(message);
};

async function openStore(spec) {
  const factory = (await import(pathToFileURL(spec.module).href))[spec.factory];
  if (typeof factory !== 'function') throw new Error(`${spec.module} exports no function ${spec.factory}`);
  let cipher;
  if (spec.cipher) {
    const { createRecordCipher } = await import(pathToFileURL(spec.cipher.module).href);
    cipher = createRecordCipher({ key: spec.cipher.key });
  }
  return factory({ ...spec.options, ...(cipher ? { cipher } : {}) });
}

/** Makes `key`'s watch live before anyone is told "ready": connect where the store can, then read. */
async function settle(store, key) {
  if (typeof store.connect === 'function') await store.connect();
  await store.get(key);
}

// Small deterministic PRNG, so every run does the same mix of operations.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `ops` random operations over this process's own key, the shared keys and a counter: sets,
 * reads (every record read must be whole, and the own key must hold the own last write), lists,
 * deletes, and read-modify-write increments of the counter under `withLock`.
 */
async function mixed(store, { id, ops, ownKey, shared, others, counter }) {
  const writer = `p${id}`;
  const next = random(id + 1);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const summary = {
    id,
    reads: 0,
    absent: 0,
    writes: 0,
    increments: 0,
    ownSeq: 0,
    sharedLast: {},
    problems: [],
  };
  await store.list();
  send({ type: 'ready' });
  await nextMessage((m) => m.type === 'go');
  for (let seq = 1; seq <= ops; seq++) {
    const r = seq === ops ? 0 : next();
    try {
      if (r < 0.25) {
        await store.set(ownKey, makeRecord(ownKey, writer, seq));
        summary.ownSeq = seq;
        summary.writes += 1;
      } else if (r < 0.45) {
        const key = pick(shared);
        await store.set(key, makeRecord(key, writer, seq));
        summary.sharedLast[key] = seq;
        summary.writes += 1;
      } else if (r < 0.75) {
        const key = r < 0.55 ? ownKey : r < 0.68 ? pick(shared) : pick(others);
        const record = await store.get(key);
        summary.reads += 1;
        if (record === undefined) summary.absent += 1;
        else {
          const problem = problemWith(key, record);
          if (problem) summary.problems.push(problem);
        }
        if (key === ownKey && (record?.extra?.seq ?? 0) !== summary.ownSeq) {
          summary.problems.push(
            `lost own write: read #${record?.extra?.seq} after writing #${summary.ownSeq}`,
          );
        }
      } else if (r < 0.775) {
        // Few on purpose: 8 processes queue for one lock, and the suite's run time is watched.
        await store.withLock(
          counter,
          5_000,
          async () => {
            const current = await store.get(counter);
            // Yield between read and write, so that an unlocked increment would be lost.
            await new Promise((resolve) => setImmediate(resolve));
            const count = (current?.extra?.count ?? 0) + 1;
            await store.set(counter, makeRecord(counter, writer, seq, { count }));
          },
          { waitMs: 60_000 },
        );
        summary.increments += 1;
      } else if (r < 0.95) {
        const keys = await store.list();
        if (summary.ownSeq > 0 && !keys.includes(ownKey))
          summary.problems.push('own key missing from list()');
      } else {
        const key = pick(shared);
        await store.delete(key);
        summary.sharedLast[key] = 'deleted';
      }
    } catch (error) {
      summary.problems.push(describe(error));
    }
  }
  await store.close();
  send({ type: 'result', ...summary });
}

/** Takes the lock on `key` with a lease of `leaseMs`, says so, and never lets go (the parent kills it). */
async function holdLock(store, { key, leaseMs }) {
  await store.withLock(key, leaseMs, async () => {
    send({ type: 'locked', at: Date.now() });
    // A pending promise alone would not keep the process alive.
    await new Promise(() => setInterval(() => {}, 60_000));
  });
}

/** Runs the parent's commands: { cmd: 'set', key, writer, seq } | { cmd: 'delete', key } | { cmd: 'close' }. */
async function writer(store) {
  process.on('message', async (message) => {
    if (message.type !== 'cmd') return;
    try {
      if (message.cmd === 'set')
        await store.set(message.key, makeRecord(message.key, message.writer, message.seq));
      else if (message.cmd === 'delete') await store.delete(message.key);
      else if (message.cmd === 'close') {
        await store.close();
        process.disconnect();
        return;
      }
      send({ type: 'done', cmd: message.cmd });
    } catch (error) {
      send({ type: 'failed', error: describe(error) });
    }
  });
  await store.list();
  send({ type: 'ready' });
}

/** Watches `key`, says "ready" once the watch is live, and reports every change it hears. */
async function watcher(store, { key }) {
  store.watch(key, (change) => {
    send({ type: 'change', key: change.key, kind: change.kind, token: change.record?.tokens.daily?.token });
  });
  await settle(store, key);
  send({ type: 'ready' });
  await nextMessage((m) => m.type === 'cmd' && m.cmd === 'close');
  await store.close();
  process.disconnect();
}

/**
 * Uses every part of a store (or tries to, when `reachable` is false), closes it, prints a JSON
 * line and ends without process.exit: the IPC channel is dropped first, so anything the store
 * leaves open (a socket, a poller, a timer) would keep this process alive.
 */
async function lifecycle(store, { key, reachable }) {
  process.disconnect();
  const stop = store.watch(key, () => {});
  const report = { closed: false };
  if (reachable) {
    if (typeof store.connect === 'function') await store.connect();
    await store.withLock(key, 5_000, async () => {
      await store.set(key, makeRecord(key, 'life', 1));
    });
    report.roundTrip = (await store.get(key))?.tokens.daily?.token;
    report.listed = await store.list();
    report.deleted = await store.delete(key);
  } else {
    const error = await store.get(key).then(
      () => undefined,
      (e) => e,
    );
    report.failedWith = error?.name;
  }
  stop();
  await store.close();
  report.closed = true;
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Writes whole records of `key` in a tight loop until killed; says "wrote" after the first. */
async function writeLoop(store, { key, writer: name }) {
  send({ type: 'ready' });
  await nextMessage((m) => m.type === 'go');
  for (let seq = 1; ; seq++) {
    await store.set(key, makeRecord(key, name, seq));
    if (seq === 1) send({ type: 'wrote' });
  }
}

/**
 * A strategy process placing orders as fast as it can: a TokenManager over this store (the token
 * another process stored) and `createUpstoxClient` from the built auth-core at `authCore`, whose
 * rate limits are shared through the store when it offers counters. `concurrency` loops send
 * `POST /v2/order/place` until `durationMs` after "go"; reports how many were accepted and the
 * error codes of the others.
 */
async function orderBurst(store, { authCore, baseUrl, clientId, redirectUri, durationMs, concurrency }) {
  const { TokenManager, createUpstoxClient } = await import(pathToFileURL(authCore).href);
  if (typeof store.connect === 'function') await store.connect();
  const manager = new TokenManager({ clientId, redirectUri, store, baseUrl, watch: false });
  await manager.load();
  const client = createUpstoxClient(manager, { baseUrl, orderBaseUrl: baseUrl });
  const order = { instrument_token: 'NSE_EQ|INE002A01018', quantity: 1, transaction_type: 'BUY' };
  // Warm the connections (HTTP keep-alive is off by default; Redis is connected above).
  send({ type: 'ready' });
  await nextMessage((m) => m.type === 'go');
  const end = Date.now() + durationMs;
  let placed = 0;
  const errors = {};
  const loop = async () => {
    while (Date.now() < end) {
      try {
        await client.post('/v2/order/place', order);
        placed += 1;
      } catch (error) {
        const code = error?.code ?? error?.name ?? 'unknown';
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency ?? 4 }, loop));
  await manager.close();
  await store.close();
  send({ type: 'done', placed, errors });
}

const modes = {
  mixed,
  'hold-lock': holdLock,
  writer,
  watcher,
  lifecycle,
  'write-loop': writeLoop,
  'order-burst': orderBurst,
};

const start = await nextMessage((m) => m.type === 'start');
try {
  const run = modes[start.mode];
  if (!run) throw new Error(`unknown mode ${start.mode}`);
  await run(await openStore(start.spec), start.args ?? {});
} catch (error) {
  console.error(describe(error));
  process.exitCode = 1;
  if (process.connected) process.disconnect();
}
