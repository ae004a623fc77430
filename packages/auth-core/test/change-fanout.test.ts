import { describe, expect, it } from 'vitest';
import { createChangeFanout, type TokenStoreChange } from '../src/store.js';
import { recordFor } from './helpers.js';

const KEY = 'upstox:fanout-client:AAA1';
const OTHER = 'upstox:fanout-client:BBB2';
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createChangeFanout', () => {
  it('tells the listeners of the changed key only, after publish returns (microtask delivery)', async () => {
    const fanout = createChangeFanout();
    const heard: string[] = [];
    fanout.subscribe(KEY, (c) => heard.push(`a:${c.kind}`));
    fanout.subscribe(OTHER, (c) => heard.push(`b:${c.kind}`));
    expect(fanout.publish({ key: KEY, kind: 'delete' })).toBe(true);
    expect(heard).toEqual([]);
    await flush();
    expect(heard).toEqual(['a:delete']);
    expect(fanout.publish({ key: 'upstox:fanout-client:NOBODY', kind: 'delete' })).toBe(false);
  });

  it('delivers before publish returns with sync delivery', () => {
    const fanout = createChangeFanout({ delivery: 'sync' });
    const heard: TokenStoreChange[] = [];
    fanout.subscribe(KEY, (c) => heard.push(c));
    fanout.publish({ key: KEY, kind: 'set' });
    expect(heard).toEqual([{ key: KEY, kind: 'set' }]);
  });

  it('isolates a throwing listener: the others still hear the change', async () => {
    for (const delivery of ['sync', 'microtask'] as const) {
      const fanout = createChangeFanout({ delivery });
      const heard: string[] = [];
      fanout.subscribe(KEY, () => {
        throw new Error('listener bug');
      });
      fanout.subscribe(KEY, (c) => heard.push(c.kind));
      expect(() => fanout.publish({ key: KEY, kind: 'set' })).not.toThrow();
      await flush();
      expect(heard, delivery).toEqual(['set']);
    }
  });

  it('gives every listener its own copy of the record, taken before publish returns', async () => {
    const fanout = createChangeFanout();
    const record = recordFor();
    const original = record.tokens.daily!.token;
    const seen: TokenStoreChange[] = [];
    fanout.subscribe(KEY, (c) => {
      c.record!.tokens.daily!.token = 'mutated-by-first';
      seen.push(c);
    });
    fanout.subscribe(KEY, (c) => seen.push(c));
    fanout.publish({ key: KEY, kind: 'set', record });
    record.tokens.daily!.token = 'mutated-by-caller';
    await flush();
    expect(seen[0]?.record?.tokens.daily?.token).toBe('mutated-by-first');
    expect(seen[1]?.record?.tokens.daily?.token).toBe(original);
  });

  it('keeps every subscription apart, the same function twice included', async () => {
    const fanout = createChangeFanout({ delivery: 'sync' });
    const heard: string[] = [];
    const listener = (c: TokenStoreChange) => heard.push(c.kind);
    const stopFirst = fanout.subscribe(KEY, listener);
    fanout.subscribe(KEY, listener);
    fanout.publish({ key: KEY, kind: 'set' });
    expect(heard).toEqual(['set', 'set']);
    stopFirst();
    stopFirst();
    fanout.publish({ key: KEY, kind: 'delete' });
    expect(heard).toEqual(['set', 'set', 'delete']);
  });

  it('tells nobody who unsubscribed, even of a change published before', async () => {
    const fanout = createChangeFanout();
    const heard: string[] = [];
    const stop = fanout.subscribe(KEY, (c) => heard.push(c.kind));
    fanout.publish({ key: KEY, kind: 'set' });
    stop();
    await flush();
    expect(heard).toEqual([]);
    expect(fanout.has(KEY)).toBe(false);
  });

  it('drops a repeat: a change whose version is the last one seen tells nobody', () => {
    const fanout = createChangeFanout({ delivery: 'sync' });
    const heard: string[] = [];
    fanout.subscribe(KEY, (c) => heard.push(c.kind));
    expect(fanout.knows(KEY)).toBe(false);
    fanout.remember(KEY, 'v1');
    expect(fanout.knows(KEY)).toBe(true);
    expect(fanout.publish({ key: KEY, kind: 'set' }, 'v1')).toBe(false);
    expect(fanout.publish({ key: KEY, kind: 'set' }, 'v2')).toBe(true);
    expect(fanout.publish({ key: KEY, kind: 'set' }, 'v2')).toBe(false);
    // `undefined` is a version too ("no record"), unlike leaving the version out.
    expect(fanout.publish({ key: KEY, kind: 'delete' }, undefined)).toBe(true);
    expect(fanout.publish({ key: KEY, kind: 'delete' }, undefined)).toBe(false);
    expect(fanout.publish({ key: KEY, kind: 'delete' })).toBe(true);
    expect(heard).toEqual(['set', 'delete', 'delete']);
    expect(fanout.lastVersion(KEY)).toBeUndefined();
  });

  it('reports the first and last listener of a key, forgets its version when unwatched, and clears', () => {
    const events: string[] = [];
    const fanout = createChangeFanout({
      delivery: 'sync',
      onWatched: (key) => events.push(`watched ${key}`),
      onUnwatched: (key) => events.push(`unwatched ${key}`),
    });
    const a = fanout.subscribe(KEY, () => {});
    const b = fanout.subscribe(KEY, () => {});
    fanout.remember(KEY, 'v1');
    fanout.subscribe(OTHER, () => {});
    expect(fanout.keys()).toEqual([KEY, OTHER]);
    expect(fanout.size).toBe(2);
    a();
    expect(events).toEqual([`watched ${KEY}`, `watched ${OTHER}`]);
    b();
    expect(events).toEqual([`watched ${KEY}`, `watched ${OTHER}`, `unwatched ${KEY}`]);
    fanout.subscribe(KEY, () => {});
    expect(fanout.knows(KEY)).toBe(false);
    fanout.clear();
    expect(fanout.size).toBe(0);
    expect(events).toHaveLength(4);
  });
});

describe('createChangeFanout: listeners of every key', () => {
  it('hear the changes of watched and unwatched keys, each its own copy, until they unsubscribe', () => {
    const fanout = createChangeFanout({ delivery: 'sync' });
    const all: TokenStoreChange[] = [];
    const one: TokenStoreChange[] = [];
    fanout.subscribe('k1', (c) => one.push(c));
    const stop = fanout.subscribeAll((c) => all.push(c));
    expect(fanout.watchingAll).toBe(true);
    expect(fanout.publish({ key: 'k1', kind: 'set' }, 'v1')).toBe(true);
    // A repeat of a watched key is dropped for everyone.
    expect(fanout.publish({ key: 'k1', kind: 'set' }, 'v1')).toBe(false);
    expect(fanout.publish({ key: 'k2', kind: 'delete' })).toBe(true);
    expect(one.map((c) => c.key)).toEqual(['k1']);
    expect(all.map((c) => `${c.key}:${c.kind}`)).toEqual(['k1:set', 'k2:delete']);
    stop();
    expect(fanout.watchingAll).toBe(false);
    expect(fanout.publish({ key: 'k3', kind: 'set' })).toBe(false);
    expect(all).toHaveLength(2);
  });
});
