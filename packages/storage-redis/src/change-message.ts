/** What a store publishes on `<prefix>changes:<key>` after a write. */
export interface ChangeMessage {
  /** `set` or `delete`. */
  kind: 'set' | 'delete';
  /** Id of the publishing store instance (it skips its own messages: it already told its watchers). */
  origin?: string;
  /** For `set`: the stored value (the record codec's output, sealed when a cipher is set). */
  value?: string;
}

const VERSION = 1;

/** The wire form of a change: `{"v":1,"kind":"set","origin":"...","value":"..."}`. */
export function encodeChange(message: ChangeMessage): string {
  return JSON.stringify({ v: VERSION, ...message });
}

/**
 * Reads a published change; `undefined` when the text is not a change message of this version
 * (the caller then treats it as "something changed, re-read").
 */
export function parseChange(text: string): ChangeMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { v, kind, origin, value } = parsed as Record<string, unknown>;
  if (v !== VERSION || (kind !== 'set' && kind !== 'delete')) return undefined;
  if (origin !== undefined && typeof origin !== 'string') return undefined;
  if (value !== undefined && typeof value !== 'string') return undefined;
  return {
    kind,
    ...(origin === undefined ? {} : { origin }),
    ...(value === undefined ? {} : { value }),
  };
}
