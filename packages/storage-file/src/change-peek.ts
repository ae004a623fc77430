// The raw state of one key for change detection: the text of the file holding it, read
// without moving or reporting anything.
import { readSnapshotSync, readTextSync } from './file-io.js';
import type { FileOwner } from './file-owner.js';
import type { Layout } from './layout.js';

/** Marker of a state that could not be read right now. */
export const UNREADABLE = Symbol('unreadable');

/** What {@link createChangePeek}'s readers return for a key. */
export type PeekState = string | undefined | typeof UNREADABLE;

/** Reads the state of keys (see {@link createChangePeek}). */
export interface ChangePeek {
  /**
   * The text of the file holding `key` (prefixed with which file it is), `undefined` when none
   * does, {@link UNREADABLE} when that cannot be told right now. Never throws.
   */
  peek(key: string): Promise<PeekState>;
  /** {@link ChangePeek.peek}, synchronously: a watch takes its first snapshot before `watch()` returns. */
  peekSync(key: string): PeekState;
}

/** Creates the change-detection readers of one store. */
export function createChangePeek(layout: Layout, owner: FileOwner): ChangePeek {
  const { defaultPath, namedPath } = layout;

  function peekFrom(key: string, own: string | undefined, shared: string | undefined): string | undefined {
    if (own !== undefined) return `own\n${own}`;
    if (shared === undefined) return undefined;
    return owner.identifyText(shared).identity.key === key ? `default\n${shared}` : undefined;
  }

  async function readText(path: string): Promise<string | undefined> {
    const snapshot = readSnapshotSync(path, { tightened: layout.tightened });
    return snapshot?.text;
  }

  return {
    async peek(key) {
      try {
        const own = await readText(namedPath(key));
        return peekFrom(key, own, own === undefined ? await readText(defaultPath) : undefined);
      } catch {
        return UNREADABLE;
      }
    },
    peekSync(key) {
      try {
        const own = readTextSync(namedPath(key));
        return peekFrom(key, own, own === undefined ? readTextSync(defaultPath) : undefined);
      } catch {
        return UNREADABLE;
      }
    },
  };
}
