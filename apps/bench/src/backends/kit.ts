import type { TokenRecord, TokenStore } from '@hft/auth-core/store';

/** Which store package a kit measures. */
export type BackendKind = 'file' | 'sqlite' | 'redis';

/** How many token variants a {@link StoreOpsKit} cycles through. */
export const VARIANTS = 16;

/** `record` with {@link VARIANTS} different fresh access tokens (the first keeps its own). */
export function tokenVariants(record: TokenRecord, fresh: () => string): TokenRecord[] {
  return Array.from({ length: VARIANTS }, (_, i) =>
    i === 0
      ? record
      : { ...record, tokens: { ...record.tokens, daily: { ...record.tokens.daily!, token: fresh() } } },
  );
}

/**
 * `template`, the stored form of `variants[0]`, rewritten for every variant by swapping the access
 * token (a random base64url string, so it occurs once and needs no escaping).
 */
export function bytesPerVariant(template: string, variants: readonly TokenRecord[]): string[] {
  const original = variants[0]!.tokens.daily!.token;
  if (template.split(original).length !== 2) throw new Error('the stored bytes do not hold the token once');
  return variants.map((v) => template.replace(original, v.tokens.daily!.token));
}

/**
 * Figure 4's set-up for one backend: a plain and an encrypted store each holding the benchmark
 * record, and the raw driver doing the same work on the same kind of storage.
 */
export interface StoreOpsKit {
  readonly kind: BackendKind;
  readonly plain: TokenStore;
  readonly encrypted: TokenStore;
  /** Reads the stored bytes with the raw driver and parses them into an object; resolves the access token. */
  rawGet(): Promise<string>;
  /**
   * Writes, with the raw driver, the bytes the plain store writes for `variants[index]` (see
   * {@link StoreOpsKit.variants}).
   */
  rawSet(index: number): Promise<void>;
  /**
   * The benchmark record with different access tokens. Consecutive sets cycle through them,
   * because a real set always changes the stored bytes, and some backends (SQLite) are much
   * cheaper when a write leaves a page unchanged.
   */
  readonly variants: readonly TokenRecord[];
  /** Closes the stores and raw connections. */
  close(): Promise<void>;
}

/**
 * Figure 5's set-up for one backend: two stores of the same backend, one holding a single
 * account and one holding `count` accounts, both holding `key`.
 */
export interface ScaleKit {
  readonly kind: BackendKind;
  readonly one: TokenStore;
  readonly many: TokenStore;
  /** The account read from both stores. */
  readonly key: string;
  /** How many accounts `many` holds. */
  readonly count: number;
  close(): Promise<void>;
}

/**
 * The {@link ScaleKit} over `one` and `many`, after checking that `many` reads `lastKey`, the last
 * of the accounts the set-up put there (so a set-up that wrote what the store cannot read fails
 * here, not as a fast "not found" in the measurement).
 * @throws Error when `many` does not return the record of `lastKey`.
 */
export async function checkedScaleKit(
  kind: BackendKind,
  stores: { one: TokenStore; many: TokenStore },
  key: string,
  count: number,
  lastKey: string,
): Promise<ScaleKit> {
  const { one, many } = stores;
  if ((await many.get(lastKey))?.accountKey !== lastKey) {
    throw new Error(`${kind} scale: the store cannot read ${lastKey}`);
  }
  return {
    kind,
    one,
    many,
    key,
    count,
    async close() {
      await one.close();
      await many.close();
    },
  };
}
