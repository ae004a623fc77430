import { randomBytes } from 'node:crypto';
import { createRecordCipher } from '@hft/auth-core';
import { runTokenStoreConformance } from '@hft/storage-conformance';
import Keyv from 'keyv';
import { keyvTokenStore } from '../src/index.js';

/** A Map that can be made to fail on every access, like a database going away. */
class FailingMap<K, V> extends Map<K, V> {
  broken = false;
  private check(): void {
    if (this.broken) throw new Error('connection refused (simulated)');
  }
  override get(key: K): V | undefined {
    this.check();
    return super.get(key);
  }
  override set(key: K, value: V): this {
    this.check();
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.check();
    return super.delete(key);
  }
  override has(key: K): boolean {
    this.check();
    return super.has(key);
  }
  override *[Symbol.iterator](): MapIterator<[K, V]> {
    this.check();
    yield* super.entries();
  }
}

for (const encrypted of [false, true]) {
  runTokenStoreConformance({
    name: `keyv-memory${encrypted ? ' (encrypted)' : ''}`,
    async setup() {
      const map = new FailingMap<string, unknown>();
      const keyv = new Keyv({ store: map, namespace: 'hft-tokens' });
      const cipher = encrypted ? createRecordCipher({ key: randomBytes(32) }) : undefined;
      return {
        open: async () =>
          keyvTokenStore(keyv, {
            name: 'keyv-memory',
            disconnect: false,
            pollIntervalMs: 0,
            ...(cipher ? { cipher } : {}),
          }),
        breakBackend: async () => {
          map.broken = true;
        },
        repairBackend: async () => {
          map.broken = false;
        },
        teardown: async () => {},
      };
    },
  });
}
