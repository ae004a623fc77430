import { type InspectOptions, inspect } from 'node:util';

/** Node's `util.inspect` hook (the registered symbol, so no import of `node:util` is needed to use it). */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Gives a frozen data object `toJSON`, `toString` and `util.inspect` views that show `view()`
 * (a copy with secrets masked) instead of the real fields. The methods are non-enumerable, so
 * `Object.keys` and spreading see the data only.
 *
 * @param target the object to protect (frozen and returned)
 * @param label printed before the masked fields by `toString` and `util.inspect`
 * @param view builds the masked, JSON-safe representation
 */
export function withMaskedView<T extends object>(
  target: T,
  label: string,
  view: () => Record<string, unknown>,
): Readonly<T> {
  Object.defineProperties(target, {
    toJSON: { value: view, enumerable: false },
    toString: {
      value: () => `${label} ${inspect(view(), { depth: 4, breakLength: Number.POSITIVE_INFINITY })}`,
    },
    [INSPECT]: {
      value: (depth: number, options: InspectOptions) =>
        depth < 0 ? `[${label}]` : `${label} ${inspect(view(), options)}`,
    },
  });
  return Object.freeze(target);
}
