import type { BenchContext } from './context.js';
import type { ResultRow } from './result-row.js';

/** One benchmark figure of issue 8: an id for `--only`, and a function producing its rows. */
export interface Figure {
  /** Short id (`hot-path`, `store-ops`...), the prefix of every row name. */
  readonly id: string;
  /** One line on what it measures. */
  readonly title: string;
  /**
   * Measures and returns the rows. Backends that cannot be used give `SKIP` rows with the
   * reason; anything else that goes wrong throws.
   */
  run(ctx: BenchContext): Promise<ResultRow[]>;
}
