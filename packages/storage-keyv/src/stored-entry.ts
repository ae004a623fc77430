// Keyv's stored form of one entry, read without Keyv: what a lean reader needs to return the
// same value `keyv.get` would, or to say it cannot (so the caller asks the full store).
import { defaultDeserialize } from '@keyv/serialize';

/**
 * The string value of the Keyv entry stored as `text` (Keyv's serialization, read with Keyv's
 * own deserializer), or `undefined` for a missing entry (`null`/`undefined` text).
 * @throws Error when Keyv would do more than return a string: an expired entry (Keyv deletes
 *   it), a value that is not a string (the store reports it as corrupt), text that does not parse.
 */
export function storedString(text: string | null | undefined, now: number = Date.now()): string | undefined {
  if (text === null || text === undefined) return undefined;
  const data = defaultDeserialize(text) as { value?: unknown; expires?: unknown } | null | undefined;
  if (data === null || data === undefined) return undefined;
  if (typeof data.expires === 'number' && now > data.expires) throw new Error('the entry has expired');
  if (typeof data.value !== 'string') throw new Error('the entry is not a string');
  return data.value;
}
