/**
 * The `q`-quantile (0..1) of `values` by linear interpolation between closest ranks
 * (`q = 0.5` is the median). Does not modify `values`.
 * @throws RangeError when `values` is empty or `q` is outside [0, 1].
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** The median of `values`. @throws RangeError when `values` is empty. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}
