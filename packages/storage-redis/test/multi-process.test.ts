import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRecordCipher, type TokenStoreChange } from '@hft/auth-core';
import { ErrorCodes } from '@hft/errors';
import { sampleRecord } from '@hft/storage-conformance';
import { ensureBuilt, freePort, type RedisServer, startRedis } from '@hft/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore, type RedisTokenStoreOptions } from '../src/index.js';

let server: RedisServer;
const stores: RedisTokenStore[] = [];
const children = new Set<ChildProcess>();
let prefixes = 0;

beforeAll(async () => {
  ensureBuilt(fileURLToPath(new URL('..', import.meta.url)));
  server = await startRedis();
}, 180_000);
afterAll(async () => {
  await server?.shutdown();
});
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const store of stores.splice(0)) await store.close();
});

const freshPrefix = () => {
  prefixes += 1;
  return `mp${prefixes}:`;
};

function open(prefix: string, extra: Partial<RedisTokenStoreOptions> = {}) {
  const store = createRedisTokenStore({ url: server.url(), prefix, ...extra });
  stores.push(store);
  return store;
}

interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code (and all stdout) once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function child(fixture: string, args: object): Child {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const proc = spawn(process.execPath, [script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...waiters]) {
      const line = stdout.split('\n').find((l) => waiter.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    process: proc,
    exited,
    line: (pattern) =>
      new Promise<string>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        exited.then(({ stderr: err }) => reject(new Error(`${fixture} exited before ${pattern}: ${err}`)));
      }),
  };
}

describe('several processes over one Redis', () => {
  it('8 processes x 500 mixed reads and writes: no torn or lost record, no lost locked increment', async () => {
    const prefix = freshPrefix();
    const workers = 8;
    const ops = 500;
    const runs = Array.from({ length: workers }, (_, worker) =>
      child('mixed-worker.mjs', { url: server.url(), prefix, worker, workers, ops }),
    );
    const results = await Promise.all(runs.map((run) => run.exited));
    const summaries = results.map((result) => {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout.trim()) as {
        worker: number;
        ownSeq: number;
        increments: number;
        problems: string[];
      };
    });
    for (const summary of summaries) expect(summary.problems).toEqual([]);

    const store = open(prefix);
    for (const { worker, ownSeq } of summaries) {
      const record = await store.get(`upstox:mp:P${worker}`);
      expect(record?.extra?.seq ?? 0).toBe(ownSeq);
      if (record) expect(record.accessToken).toBe(`tok-${worker}-${ownSeq}`);
    }
    const total = summaries.reduce((sum, s) => sum + s.increments, 0);
    expect(total).toBeGreaterThan(100);
    expect((await store.get('upstox:mp:COUNTER'))?.extra?.count).toBe(total);
    expect(await server.cli('KEYS', `${prefix}lock:*`)).toBe('');
  }, 180_000);

  it('takes over the lock of a holder killed with SIGKILL mid-lock, after its lease', async () => {
    const prefix = freshPrefix();
    const key = 'upstox:mp:CRASH1';
    const leaseMs = 1_500;
    const holder = child('lock-holder.mjs', { url: server.url(), prefix, key, leaseMs });
    await holder.line(/^LOCKED$/);
    const owner = await server.cli('GET', `${prefix}lock:${key}`);
    expect(owner.startsWith(`${holder.process.pid}:`)).toBe(true);

    const store = open(prefix);
    const busy = await store
      .withLock(key, leaseMs, async () => 'never', { waitMs: 100 })
      .catch((e: unknown) => e);
    expect(busy).toMatchObject({ code: ErrorCodes.STORAGE_LOCK_TIMEOUT });

    const remaining = Number(await server.cli('PTTL', `${prefix}lock:${key}`));
    holder.process.kill('SIGKILL');
    const killedAt = performance.now();
    expect((await holder.exited).signal).toBe('SIGKILL');
    const taken = await store.withLock(key, leaseMs, async () => performance.now() - killedAt, {
      waitMs: 10_000,
    });
    // Not before the dead holder's lease ran out on the server, and not long after.
    expect(taken).toBeGreaterThanOrEqual(remaining - 200);
    expect(taken).toBeLessThan(leaseMs + 1_500);
  }, 30_000);

  it("delivers another process's write to a watcher (sealed value, decoded with the shared key)", async () => {
    const prefix = freshPrefix();
    const key = randomBytes(32).toString('base64');
    const store = open(prefix, { cipher: createRecordCipher({ key }) });
    const changes: TokenStoreChange[] = [];
    store.watch('upstox:mp:W1', (c) => changes.push(c));
    await store.connect();
    const writer = child('writer.mjs', { url: server.url(), prefix, key, user: 'W1', seq: 7 });
    expect((await writer.exited).code).toBe(0);
    await expect
      .poll(() => changes.find((c) => c.kind === 'set')?.record?.accessToken, { timeout: 5_000 })
      .toBe('tok-child-7');
  }, 30_000);

  it('delivers this process write to a watcher in another process', async () => {
    const prefix = freshPrefix();
    const watcher = child('watcher.mjs', { url: server.url(), prefix, user: 'W2' });
    await watcher.line(/^READY$/);
    const store = open(prefix);
    const record = sampleRecord({ clientId: 'mp', userId: 'W2', accessToken: 'tok-parent-3' });
    expect(record.accountKey).toBe('upstox:mp:W2');
    await store.set(record.accountKey, record);
    const heard = JSON.parse(await watcher.line(/^\{/)) as { key: string; kind: string; token?: string };
    expect(heard).toEqual({ key: 'upstox:mp:W2', kind: 'set', token: 'tok-parent-3' });
    expect((await watcher.exited).code).toBe(0);
  }, 30_000);
});

describe('close() leaves nothing open', () => {
  it('a process that used every part of a store exits by itself after close()', async () => {
    const run = child('lifecycle.mjs', { url: server.url(), prefix: freshPrefix(), up: true });
    await run.line(/^CLOSED$/);
    const closedAt = performance.now();
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(2_000);
  }, 30_000);

  it('so does one whose Redis was never reachable', async () => {
    const port = await freePort();
    const run = child('lifecycle.mjs', { url: `redis://127.0.0.1:${port}`, prefix: 'down:', up: false });
    await run.line(/^CLOSED$/);
    const closedAt = performance.now();
    const result = await run.exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(2_000);
  }, 30_000);
});
