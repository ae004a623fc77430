import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRecordCipher,
  type RecordCipher,
  type TokenStore,
  type TokenStoreChange,
} from '@hft/auth-core';
import { ErrorCodes } from '@hft/errors';
import {
  type ChildStoreSpec,
  ensureBuilt,
  forkStoreChild,
  killStoreChildren,
  makeRecord,
  problemWith,
  type StoreChild,
} from '@hft/test-kit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** One fresh, empty backend for one multi-process test, reached from this process and from children. */
export interface ProcessHarness {
  /** How a child process opens a store over this backend (the built package's factory and JSON options). */
  child: Omit<ChildStoreSpec, 'cipher'>;
  /** Opens a store in this process over the same backend, sealing with `cipher` when given. */
  open(cipher?: RecordCipher): Promise<TokenStore>;
  /** Backend-specific checks while a child (`holderPid`) holds the lock of `key` (lease file, row, key). */
  inspectLock?(key: string, holderPid: number): Promise<void>;
  /** Backend-specific checks after the mixed run (file modes, journal mode...). */
  afterMixed?(): Promise<void>;
  /** Removes the backend and everything in it. */
  teardown(): Promise<void>;
}

/** Options of {@link runMultiProcessConformance}. */
export interface MultiProcessOptions {
  /** Shown in the test names. */
  name: string;
  /** The backend package's directory: built (`ensureBuilt`) before the first test, as children load `dist/`. */
  packageDir: string;
  /** Creates a fresh, empty backend; called before every test. */
  setup(): Promise<ProcessHarness>;
  /** Every store, here and in the children, seals records with one shared random key. Default false. */
  encrypted?: boolean;
  /** Lease of the lock that a killed child holds, in ms. Default 1500. */
  leaseMs?: number;
  /**
   * The backend notices a holder on this host whose process is gone and takes its lock over at
   * once (the file store checks the pid in the lease file): then a killed holder's lock is taken
   * long before its lease runs out. Default false: taken over only after the lease.
   */
  takesOverDeadLocalHolder?: boolean;
  /** Also check that a process whose backend was never reachable exits by itself after close(). */
  unreachable?(): Promise<Omit<ChildStoreSpec, 'cipher'>>;
  /**
   * Also kill writers with SIGKILL at random points of their writes, `kills` times over two keys
   * at once, and check after each kill that the store still reads a whole record: the one before,
   * or one the killed writer wrote. With `sealOddWriters`, the first half of each lane's writers
   * write plain and the second half seal (readers open both), so both kinds of value are cut.
   */
  killedWriter?: { kills: number; sealOddWriters?: boolean };
}

const WORKERS = 8;
const OPS = 500;
const CLIENT = 'mp-client';

interface MixedSummary {
  id: number;
  reads: number;
  absent: number;
  writes: number;
  increments: number;
  ownSeq: number;
  sharedLast: Record<string, number | 'deleted'>;
  problems: string[];
}

/** auth-core's built store entry, for children that seal (it is built with the backend's dependencies). */
function authCoreStoreModule(): string {
  const here = fileURLToPath(new URL('..', import.meta.url));
  return join(realpathSync(join(here, 'node_modules', '@hft', 'auth-core')), 'dist', 'store.js');
}

/** Collects the changes a listener hears and resolves when one matching arrives. */
function changeLog(timeoutMs: number) {
  const seen: TokenStoreChange[] = [];
  const waiters = new Set<() => void>();
  return {
    seen,
    onChange(change: TokenStoreChange) {
      seen.push(change);
      for (const wake of [...waiters]) wake();
    },
    until(what: string, match: (change: TokenStoreChange) => boolean): Promise<TokenStoreChange> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = seen.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms (heard ${JSON.stringify(seen)})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Makes `key`'s watch on `store` live: connect where the store can, then read once. */
async function settle(store: TokenStore, key: string): Promise<void> {
  const connect = (store as { connect?: () => Promise<void> }).connect;
  if (typeof connect === 'function') await connect.call(store);
  await store.get(key);
}

/**
 * The behaviour of a {@link TokenStore} across real processes, as one vitest group: 8 processes x
 * 500 mixed operations (no torn, lost or mixed record, no lost locked increment), a lock holder
 * killed with SIGKILL is taken over after its lease and not before, `watch` across processes in
 * both directions (and not for other keys), and a process that used every feature exits by itself
 * after `close()`. Children run `@hft/test-kit`'s store child on the backend's built package.
 * Call it once from one test file of the backend's package.
 */
export function runMultiProcessConformance(options: MultiProcessOptions): void {
  const leaseMs = options.leaseMs ?? 1_500;
  const key = options.encrypted ? randomBytes(32).toString('base64') : undefined;
  const cipher = key ? createRecordCipher({ key }) : undefined;

  describe(`TokenStore across processes: ${options.name}`, () => {
    let harness: ProcessHarness;
    const opened: TokenStore[] = [];
    const open = async (withCipher: RecordCipher | undefined = cipher) => {
      const store = await harness.open(withCipher);
      opened.push(store);
      return store;
    };
    const sealing = (sealKey: string | undefined): ChildStoreSpec => ({
      ...harness.child,
      ...(sealKey ? { cipher: { module: authCoreStoreModule(), key: sealKey } } : {}),
    });
    const spawn = (mode: Parameters<typeof forkStoreChild>[0], args: Record<string, unknown> = {}) =>
      forkStoreChild(mode, sealing(key), args);

    beforeAll(() => ensureBuilt(options.packageDir), 240_000);

    beforeEach(async () => {
      harness = await options.setup();
    });

    afterEach(async () => {
      killStoreChildren();
      for (const store of opened.splice(0)) await store.close().catch(() => {});
      await harness.teardown();
    });

    it(`${WORKERS} processes x ${OPS} mixed operations: no torn, lost or mixed record, no lost locked increment`, async () => {
      const shared = [`upstox:${CLIENT}:SHARED0`, `upstox:${CLIENT}:SHARED1`, 'upstox:mp-other:SHARED0'];
      const ownKeys = Array.from({ length: WORKERS }, (_, id) => `upstox:${CLIENT}:OWN${id}`);
      const counter = `upstox:${CLIENT}:COUNTER`;
      // Every child opens the (missing) backend at once: its creation races too.
      const children = ownKeys.map((ownKey, id) =>
        spawn('mixed', { id, ops: OPS, ownKey, shared, others: ownKeys, counter }),
      );
      await Promise.all(children.map((c) => c.next('ready', 60_000)));
      for (const c of children) c.send({ type: 'go' });
      const summaries = await Promise.all(children.map((c) => c.next<MixedSummary>('result', 150_000)));
      const exits = await Promise.all(children.map((c) => c.exited));
      expect(exits.map((e) => e.code)).toEqual(Array(WORKERS).fill(0));
      expect(children.map((c) => c.stderr()).join('')).toBe('');

      expect(summaries.flatMap((s) => s.problems)).toEqual([]);
      const reads = summaries.reduce((n, s) => n + s.reads - s.absent, 0);
      expect(reads).toBeGreaterThan(WORKERS * OPS * 0.2);

      const store = await open();
      // No lost write: each process's own key holds its last write, whole.
      for (const { id, ownSeq } of summaries) {
        expect(ownSeq).toBeGreaterThan(0);
        expect(await store.get(ownKeys[id]!)).toEqual(makeRecord(ownKeys[id]!, `p${id}`, ownSeq));
      }
      // A shared key holds one process's last write to it, whole, or nothing after a delete.
      const survivors: string[] = [];
      for (const account of shared) {
        const record = await store.get(account);
        if (record === undefined) {
          expect(summaries.some((s) => s.sharedLast[account] === 'deleted')).toBe(true);
          continue;
        }
        survivors.push(account);
        expect(problemWith(account, record)).toBeUndefined();
        const lasts = summaries.map((s) => `tok-p${s.id}-${s.sharedLast[account]}`);
        expect(lasts).toContain(record.tokens.daily!.token);
      }
      // No lost increment: every increment was a read-modify-write under withLock.
      const increments = summaries.reduce((n, s) => n + s.increments, 0);
      expect(increments).toBeGreaterThan(WORKERS * OPS * 0.01);
      expect((await store.get(counter))?.extra?.count).toBe(increments);
      expect((await store.list()).sort()).toEqual([...ownKeys, ...survivors, counter].sort());
      await harness.afterMixed?.();
    }, 180_000);

    it(`takes over the lock of a holder killed with SIGKILL ${options.takesOverDeadLocalHolder ? 'once it is gone' : 'after its lease, not before'}, and releases it`, async () => {
      const account = `upstox:${CLIENT}:LOCKED`;
      const holder = spawn('hold-lock', { key: account, leaseMs });
      const { at: lockedAt } = await holder.next<{ at: number }>('locked');
      await harness.inspectLock?.(account, holder.process.pid!);

      const store = await open();
      await expect(
        store.withLock(account, leaseMs, async () => 'too early', { waitMs: 100 }),
      ).rejects.toMatchObject({ name: 'StorageError', code: ErrorCodes.STORAGE_LOCK_TIMEOUT });
      expect((await holder.kill()).signal).toBe('SIGKILL');
      const killedAt = Date.now();

      const takenAt = await store.withLock(account, leaseMs, async () => Date.now(), {
        waitMs: leaseMs * 10,
      });
      if (options.takesOverDeadLocalHolder) {
        // The holder's process is gone: nothing to wait for.
        expect(takenAt - killedAt).toBeLessThan(leaseMs + 2_000);
      } else {
        // The lease began before the holder said "locked"; a few ms of slack for the two clocks' reads.
        expect(takenAt).toBeGreaterThanOrEqual(lockedAt + leaseMs - 50);
        expect(takenAt - killedAt).toBeLessThan(leaseMs + 2_000);
      }
      // Released: taking it again is immediate.
      expect(await store.withLock(account, leaseMs, async () => 'again', { waitMs: 100 })).toBe('again');
    }, 30_000);

    it("watch hears another process's set and delete, in both directions, and nothing of other keys", async () => {
      const account = `upstox:${CLIENT}:WATCHED`;
      const other = `upstox:${CLIENT}:OTHER`;
      const unrelated = `upstox:${CLIENT}:UNRELATED`;
      const store = await open();
      const here = changeLog(5_000);
      const elsewhere = changeLog(5_000);
      const quiet = changeLog(5_000);
      store.watch(account, here.onChange);
      store.watch(unrelated, quiet.onChange);
      await settle(store, account);

      const watcher = spawn('watcher', { key: account });
      const writer = spawn('writer');
      watcher.process.on('message', (m: { type: string } & TokenStoreChange & { token?: string }) => {
        if (m.type === 'change') elsewhere.onChange(m);
      });
      await Promise.all([watcher.next('ready'), writer.next('ready')]);

      const command = async (child: StoreChild, cmd: Record<string, unknown>) => {
        child.send({ type: 'cmd', ...cmd });
        await child.next('done');
      };
      await command(writer, { cmd: 'set', key: other, writer: 'child', seq: 1 });
      await command(writer, { cmd: 'set', key: account, writer: 'child', seq: 2 });
      // Another process's write reaches this one; the earlier write of another key did not.
      const set = await here.until('"set" here', (c) => c.kind === 'set');
      expect(here.seen[0]).toBe(set);
      expect(set.key).toBe(account);
      if (set.record) expect(set.record).toEqual(makeRecord(account, 'child', 2));
      expect(await store.get(account)).toEqual(makeRecord(account, 'child', 2));
      await elsewhere.until('"set" in the watcher process', (c) => c.kind === 'set');

      // This process's delete reaches the watcher process.
      expect(await store.delete(account)).toBe(true);
      await elsewhere.until('"delete" in the watcher process', (c) => c.kind === 'delete');
      expect(elsewhere.seen.every((c) => c.key === account)).toBe(true);
      expect((elsewhere.seen[0] as { token?: string }).token ?? 'tok-child-2').toBe('tok-child-2');

      // And another process's delete reaches this one.
      // (This process may hear its own delete first: only changes after the next set count.)
      const position = (change: TokenStoreChange) => here.seen.indexOf(change);
      await command(writer, { cmd: 'set', key: account, writer: 'child', seq: 3 });
      const again = await here.until(
        'the second "set" here',
        (c) => c.kind === 'set' && position(c) > position(set),
      );
      await command(writer, { cmd: 'delete', key: account });
      await here.until('"delete" here', (c) => c.kind === 'delete' && position(c) > position(again));
      expect(quiet.seen).toEqual([]);

      writer.send({ type: 'cmd', cmd: 'close' });
      watcher.send({ type: 'cmd', cmd: 'close' });
      expect((await writer.exited).code).toBe(0);
      expect((await watcher.exited).code).toBe(0);
    }, 30_000);

    const exitsByItself = async (child: StoreChild, expected: Record<string, unknown>) => {
      const deadline = setTimeout(() => child.process.kill('SIGKILL'), 15_000);
      const exit = await child.exited;
      clearTimeout(deadline);
      expect(child.stderr()).toBe('');
      // SIGKILL here means something was left open after close() kept the process alive.
      expect(exit).toEqual({ code: 0, signal: null });
      expect(JSON.parse(child.stdout())).toEqual(expected);
    };

    it('leaves nothing open after close(): a process that used every feature exits by itself', async () => {
      const account = 'upstox:life-client:LIFE1';
      await exitsByItself(spawn('lifecycle', { key: account, reachable: true }), {
        closed: true,
        roundTrip: 'tok-life-1',
        listed: [account],
        deleted: true,
      });
    }, 30_000);

    if (options.unreachable) {
      const unreachable = options.unreachable;
      it('leaves nothing open after close() when the backend was never reachable', async () => {
        const spec = await unreachable();
        const child = forkStoreChild('lifecycle', spec, {
          key: 'upstox:life-client:DOWN1',
          reachable: false,
        });
        await exitsByItself(child, { closed: true, failedWith: 'StorageError' });
      }, 30_000);
    }

    const killed = options.killedWriter;
    if (killed) {
      it(`a writer killed with SIGKILL at random points ${killed.kills} times never leaves the store unreadable`, async () => {
        const sealKey = killed.sealOddWriters ? randomBytes(32).toString('base64') : key;
        // Mixed lanes start plain and turn sealed half-way (a writer without the key may not
        // replace a sealed record): the reader opens both, as a store migrating to encryption does.
        const readerCipher = sealKey
          ? createRecordCipher({ key: sealKey, ...(killed.sealOddWriters ? { allowPlaintext: true } : {}) })
          : undefined;
        const lanes = 2;
        const killsPerLane = Math.ceil(killed.kills / lanes);
        const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

        // One lane: a key, and writers killed one after another, the next one already starting
        // (Node's start-up is most of the cost) while the current one writes. Two lanes keep both
        // cores busy.
        const lane = async (id: number) => {
          const account = `upstox:kill-client:LANE${id}`;
          const writerSpec = (n: number) =>
            sealing(killed.sealOddWriters ? (n >= killsPerLane / 2 ? sealKey : undefined) : key);
          const seed = await open(killed.sealOddWriters ? undefined : readerCipher);
          await seed.set(account, makeRecord(account, 'seed', 1));
          let previous = await seed.get(account);
          let replaced = 0;
          let next = forkStoreChild('write-loop', writerSpec(0), { key: account, writer: 'k0' });
          for (let n = 0; n < killsPerLane; n++) {
            const writer = next;
            if (n + 1 < killsPerLane) {
              next = forkStoreChild('write-loop', writerSpec(n + 1), { key: account, writer: `k${n + 1}` });
            }
            await writer.next('ready');
            writer.send({ type: 'go' });
            // A third of the kills land anywhere from the start (often inside the first write);
            // the rest after one complete write, somewhere in the following ones.
            if (n % 3 !== 0) await writer.next('wrote');
            await pause(Math.random() * 8);
            await writer.kill();
            const fresh = await harness.open(readerCipher);
            const record = await fresh.get(account);
            await fresh.close();
            const where = `lane ${id}, after kill ${n}`;
            expect(record, where).toBeDefined();
            expect(problemWith(account, record), where).toBeUndefined();
            // Either the record from before this writer ran, or one this writer wrote.
            if (record?.extra?.writer !== `k${n}`) expect(record, where).toEqual(previous);
            else replaced += 1;
            previous = record;
          }
          return { account, replaced };
        };

        const results = await Promise.all(Array.from({ length: lanes }, (_, id) => lane(id)));
        // Most kills came after the writer's first complete write, so they cut later writes.
        for (const { replaced } of results) expect(replaced).toBeGreaterThan(killsPerLane / 2);
        const reader = await open(readerCipher);
        expect((await reader.list()).sort()).toEqual(results.map((r) => r.account).sort());
      }, 120_000);
    }
  });
}
